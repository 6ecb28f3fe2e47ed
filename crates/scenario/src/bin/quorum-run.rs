//! Runs a scenario headless and prints a JSON summary.
//!
//! `quorum-run SCENARIO.json [--seed N] [--protocol raft|multi_paxos] [--history FILE.jsonl]`
//! `quorum-run SCENARIO.json --compare [--seed N]` runs the scenario under Raft and under
//! Multi-Paxos and prints both sets of figures side by side.
//!
//! Exits 0 when every safety check held, the history is linearizable and the cluster stayed
//! live once the faults stopped; 1 when a safety check failed or the history is not
//! linearizable; 3 when only the liveness check failed; 2 on bad input (the message names the
//! field).

use std::process::ExitCode;

use quorum_scenario::{compare, parse_scenario, run_scenario, Protocol};

const USAGE: &str = "usage: quorum-run SCENARIO.json [--seed N] [--protocol raft|multi_paxos] [--history FILE.jsonl]\n       quorum-run SCENARIO.json --compare [--seed N]";

struct Args {
    scenario: String,
    seed: Option<u64>,
    protocol: Option<Protocol>,
    compare: bool,
    history: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut scenario = None;
    let mut seed = None;
    let mut history = None;
    let mut protocol = None;
    let mut compare = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let v = args.next().ok_or("--seed needs a number")?;
                seed = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("--seed: {v:?} is not a whole number"))?,
                );
            }
            "--history" => history = Some(args.next().ok_or("--history needs a file name")?),
            "--protocol" => {
                let v = args.next().ok_or("--protocol needs raft or multi_paxos")?;
                protocol = Some(Protocol::parse(&v, "--protocol").map_err(|e| e.to_string())?);
            }
            "--compare" => compare = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other if other.starts_with('-') => {
                return Err(format!("unknown option {other}\n{USAGE}"))
            }
            other => {
                if scenario.replace(other.to_string()).is_some() {
                    return Err(format!("only one scenario file, please\n{USAGE}"));
                }
            }
        }
    }
    Ok(Args {
        scenario: scenario.ok_or(USAGE)?,
        seed,
        protocol,
        compare,
        history,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.scenario) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.scenario);
            return ExitCode::from(2);
        }
    };
    let mut scenario = match parse_scenario(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: invalid scenario: {e}", args.scenario);
            return ExitCode::from(2);
        }
    };
    if let Some(protocol) = args.protocol {
        scenario.protocol = protocol;
    }
    if args.compare {
        return match compare(&scenario, args.seed) {
            Ok(c) => {
                let passed = c.runs.iter().all(|r| r.passed);
                match serde_json::to_string_pretty(&c) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("cannot print the comparison: {e}");
                        return ExitCode::from(2);
                    }
                }
                if passed {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", args.scenario);
                ExitCode::from(2)
            }
        };
    }
    let outcome = match run_scenario(&scenario, args.seed) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{}: {e}", args.scenario);
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.history {
        let mut lines = String::new();
        for op in &outcome.history {
            lines.push_str(&op.to_json_line());
            lines.push('\n');
        }
        if let Err(e) = std::fs::write(path, lines) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::from(2);
        }
    }
    match serde_json::to_string_pretty(&outcome.summary) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("cannot print the summary: {e}");
            return ExitCode::from(2);
        }
    }
    if !outcome.summary.passed() {
        ExitCode::from(1)
    } else if !outcome.summary.liveness.passed {
        // Safe, but stuck after the faults stopped.
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
