//! Page settings from the URL (`?seed=7&servers=9&rate=100`), validated like every other input:
//! a bad parameter gives an error naming it, and the page shows the error instead of dying.

use quorum_cluster::config::{ClusterConfig, ProtocolKind, MAX_SERVERS, MIN_SERVERS};
use quorum_core::error::FieldError;
use quorum_traffic::balancer::BalancerConfig;
use quorum_traffic::client::WorkloadConfig;

/// Settings a link can carry. Absent ones keep the page's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageParams {
    /// Seed of the run.
    pub seed: Option<u64>,
    /// Number of servers.
    pub servers: Option<usize>,
    /// Number of workload clients.
    pub clients: Option<usize>,
    /// Workload operations per second.
    pub rate: Option<f64>,
    /// Playback speed (virtual seconds per real second).
    pub speed: Option<f64>,
    /// Start paused.
    pub paused: bool,
    /// The consensus protocol (`raft`, `multi_paxos` or `paxos`).
    pub protocol: Option<ProtocolKind>,
}

impl PageParams {
    /// The page's heaviest standard run under `protocol` — nine servers, ten clients, 100
    /// operations a second (`?servers=9&clients=10&rate=100`) — which the memory, frame and
    /// hour-long benchmarks measure.
    pub fn heaviest(protocol: ProtocolKind) -> PageParams {
        PageParams {
            servers: Some(9),
            clients: Some(10),
            rate: Some(100.0),
            protocol: Some(protocol),
            ..Default::default()
        }
    }

    /// The cluster and workload the page starts with: five servers and three clients behind the
    /// load balancer, writing and reading three keys six times a second from the shortest
    /// election timeout on — as the first election happens, so a newcomer sees client traffic
    /// within seconds of opening — with what the link sets.
    pub fn start(&self) -> (ClusterConfig, WorkloadConfig) {
        let mut config = ClusterConfig::default();
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(n) = self.servers {
            config.servers = n;
        }
        if let Some(protocol) = self.protocol {
            config.protocol = protocol;
        }
        let workload = WorkloadConfig {
            clients: self.clients.unwrap_or(3),
            rate: self.rate.unwrap_or(6.0),
            keys: 3,
            start_ms: 150,
            balancer: Some(BalancerConfig::default()),
            ..Default::default()
        };
        (config, workload)
    }
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, FieldError> {
    value
        .parse::<T>()
        .map_err(|_| FieldError::new(name, format!("“{}” is not a valid number", echo(value))))
}

/// A value as a message repeats it: at most 24 characters, so a pasted essay cannot push the
/// notice off the screen.
fn echo(value: &str) -> String {
    const MOST: usize = 24;
    if value.chars().count() <= MOST {
        value.to_string()
    } else {
        let head: String = value.chars().take(MOST).collect();
        format!("{head}… ({} characters)", value.chars().count())
    }
}

/// Slowest and fastest playback speeds the page offers (simulated seconds per real second).
pub const SPEEDS: (f64, f64) = (0.001, 1.0);

/// Parses a query string (with or without the leading `?`).
pub fn parse_params(query: &str) -> Result<PageParams, FieldError> {
    let mut p = PageParams::default();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "seed" => p.seed = Some(number(name, value)?),
            "servers" => {
                let n: usize = number(name, value)?;
                if !(MIN_SERVERS..=MAX_SERVERS).contains(&n) {
                    return Err(FieldError::new(
                        name,
                        format!("must be between {MIN_SERVERS} and {MAX_SERVERS}, got {n}"),
                    ));
                }
                p.servers = Some(n);
            }
            "clients" => {
                let n: usize = number(name, value)?;
                if n > 64 {
                    return Err(FieldError::new(name, "must be at most 64"));
                }
                p.clients = Some(n);
            }
            "rate" => {
                let r: f64 = number(name, value)?;
                if !(r.is_finite() && r > 0.0 && r <= 10_000.0) {
                    return Err(FieldError::new(
                        name,
                        "must be above 0 and at most 10000 operations per second",
                    ));
                }
                p.rate = Some(r);
            }
            "speed" => {
                let s: f64 = number(name, value)?;
                if !(s.is_finite() && (SPEEDS.0..=SPEEDS.1).contains(&s)) {
                    return Err(FieldError::new(
                        name,
                        format!(
                            "must be between {} and {} (simulated seconds per real second), got {}",
                            SPEEDS.0,
                            SPEEDS.1,
                            echo(value)
                        ),
                    ));
                }
                p.speed = Some(s);
            }
            "paused" => p.paused = value.is_empty() || value == "1" || value == "true",
            "protocol" => p.protocol = Some(ProtocolKind::parse(value, name)?),
            other => return Err(FieldError::new(
                echo(other),
                "is not a parameter this page knows (seed, servers, clients, rate, speed, paused, protocol)",
            )),
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_starts_with_clients_behind_the_balancer_right_after_the_first_election() {
        let (config, workload) = PageParams::default().start();
        assert_eq!(config, ClusterConfig::default());
        assert_eq!(
            (workload.clients, workload.rate, workload.keys),
            (3, 6.0, 3)
        );
        assert_eq!(workload.start_ms, 150);
        assert!(workload.balancer.is_some());
        let params = parse_params("?seed=9&servers=3&clients=1&rate=40&protocol=paxos").unwrap();
        let (config, workload) = params.start();
        assert_eq!((config.seed, config.servers), (9, 3));
        assert_eq!(config.protocol, ProtocolKind::MultiPaxos);
        assert_eq!((workload.clients, workload.rate), (1, 40.0));
    }

    #[test]
    fn good_parameters_are_read() {
        let p = parse_params("?seed=7&servers=9&clients=10&rate=100&speed=0.02&paused").unwrap();
        assert_eq!(p.seed, Some(7));
        assert_eq!(p.servers, Some(9));
        assert_eq!(p.clients, Some(10));
        assert_eq!(p.rate, Some(100.0));
        assert_eq!(p.speed, Some(0.02));
        assert!(p.paused);
        assert_eq!(parse_params("").unwrap(), PageParams::default());
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(parse_params("servers=12").unwrap_err().field, "servers");
        assert_eq!(parse_params("seed=abc").unwrap_err().field, "seed");
        assert_eq!(parse_params("rate=-4").unwrap_err().field, "rate");
        assert_eq!(parse_params("speed=NaN").unwrap_err().field, "speed");
        assert_eq!(parse_params("colour=red").unwrap_err().field, "colour");
        // Never clamped: a speed the page does not offer is refused, with the range.
        let fast = parse_params("speed=5").unwrap_err();
        assert_eq!(fast.field, "speed");
        assert!(fast.problem.contains("between 0.001 and 1"), "{fast}");
        // A huge value is echoed short, so the notice stays on screen.
        let long = format!("seed={}", "9".repeat(5_000));
        let e = parse_params(&long).unwrap_err();
        assert_eq!(e.field, "seed");
        assert!(e.problem.chars().count() < 80, "{}", e.problem);
        assert_eq!(parse_params("protocol=zab").unwrap_err().field, "protocol");
        assert_eq!(
            parse_params("protocol=paxos").unwrap().protocol,
            Some(ProtocolKind::MultiPaxos)
        );
    }
}
