//! The client history, one record per operation, in the JSON Lines contract of DESIGN.md.
//! Times are taken at the client: `call` when the request first leaves, `return` when the answer
//! arrives. `info` means the outcome is unknown: the operation may take effect at any later time.

use serde::{Deserialize, Deserializer, Serialize};

use quorum_core::error::FieldError;
use quorum_core::time::Time;
use quorum_service::kv::{KvOp, KvResult};

/// The operation types of the history format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// get
    Read,
    /// put
    Write,
    /// compare-and-set
    Cas,
    /// delete
    Delete,
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Took effect, answer known.
    Ok,
    /// Definitely did not take effect (a cas whose expected value did not match).
    Fail,
    /// Unknown: timed out, reply lost, server crashed.
    Info,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// One operation as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryOp {
    /// The client (session) id; a client continues under a new id after an `info`.
    pub client: u64,
    /// The operation type.
    pub op: OpKind,
    /// The key.
    pub key: quorum_service::kv::Key,
    /// For a write: the value written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// For a cas: the expected value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// For a cas: the new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// When the request left the client, µs.
    pub call: Time,
    /// When the answer arrived, µs (absent for `info`).
    #[serde(rename = "return", default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<Time>,
    /// How it ended.
    pub status: Status,
    /// For a successful read: the value read (`null`: key absent).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub result: Option<Option<i64>>,
}

impl HistoryOp {
    /// A record for `op` as called by `client` at `call`, before its outcome is known.
    pub fn called(client: u64, op: &KvOp, call: Time) -> Self {
        let (kind, value, from, to) = match op {
            KvOp::Get { .. } => (OpKind::Read, None, None, None),
            KvOp::Put { value, .. } => (OpKind::Write, Some(*value), None, None),
            KvOp::Delete { .. } => (OpKind::Delete, None, None, None),
            KvOp::Cas { from, to, .. } => (OpKind::Cas, None, Some(*from), Some(*to)),
        };
        HistoryOp {
            client,
            op: kind,
            key: op.key().clone(),
            value,
            from,
            to,
            call,
            ret: None,
            status: Status::Info,
            result: None,
        }
    }

    /// Completes the record with the store's answer received at `ret`.
    pub fn completed(mut self, result: &KvResult, ret: Time) -> Self {
        self.ret = Some(ret);
        match result {
            KvResult::Value { value } => {
                self.status = Status::Ok;
                self.result = Some(*value);
            }
            KvResult::Done | KvResult::CasOk => self.status = Status::Ok,
            KvResult::CasFailed { .. } => self.status = Status::Fail,
        }
        self
    }

    /// One line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks that the fields fit the operation type.
    pub fn validate(&self) -> Result<(), String> {
        let needs = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
        match self.op {
            OpKind::Write => needs(self.value.is_some(), "a write needs \"value\"")?,
            OpKind::Cas => needs(
                self.from.is_some() && self.to.is_some(),
                "a cas needs \"from\" and \"to\"",
            )?,
            OpKind::Read | OpKind::Delete => {}
        }
        if self.status != Status::Info && self.ret.is_none() {
            return Err("an ok or fail operation needs \"return\"".into());
        }
        if self.ret.is_some_and(|r| r < self.call) {
            return Err("\"return\" is before \"call\"".into());
        }
        if self.op == OpKind::Read && self.status == Status::Ok && self.result.is_none() {
            return Err("an ok read needs \"result\" (null when the key is absent)".into());
        }
        Ok(())
    }
}

/// Parses a JSON Lines history; the error names the line and the problem.
pub fn parse_history(text: &str) -> Result<Vec<HistoryOp>, FieldError> {
    let mut ops = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let field = format!("line {}", i + 1);
        let op: HistoryOp =
            serde_json::from_str(line).map_err(|e| FieldError::new(&field, e.to_string()))?;
        op.validate().map_err(|p| FieldError::new(&field, p))?;
        ops.push(op);
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_serialize_exactly_as_the_contract_says() {
        let w = HistoryOp::called(
            3,
            &KvOp::Put {
                key: "x".into(),
                value: 5,
            },
            120,
        )
        .completed(&KvResult::Done, 180);
        assert_eq!(
            w.to_json_line(),
            r#"{"client":3,"op":"write","key":"x","value":5,"call":120,"return":180,"status":"ok"}"#
        );
        let r = HistoryOp::called(1, &KvOp::Get { key: "y".into() }, 171)
            .completed(&KvResult::Value { value: None }, 175);
        assert_eq!(
            r.to_json_line(),
            r#"{"client":1,"op":"read","key":"y","call":171,"return":175,"status":"ok","result":null}"#
        );
        let c = HistoryOp::called(
            2,
            &KvOp::Cas {
                key: "x".into(),
                from: 5,
                to: 7,
            },
            140,
        )
        .completed(&KvResult::CasFailed { current: Some(6) }, 200);
        assert_eq!(
            c.to_json_line(),
            r#"{"client":2,"op":"cas","key":"x","from":5,"to":7,"call":140,"return":200,"status":"fail"}"#
        );
        let i = HistoryOp::called(
            4,
            &KvOp::Put {
                key: "x".into(),
                value: 9,
            },
            300,
        );
        assert_eq!(
            i.to_json_line(),
            r#"{"client":4,"op":"write","key":"x","value":9,"call":300,"status":"info"}"#
        );
    }

    #[test]
    fn parsing_round_trips_and_keeps_null_results() {
        let text = "{\"client\":1,\"op\":\"read\",\"key\":\"y\",\"call\":171,\"return\":175,\"status\":\"ok\",\"result\":null}\n\
                    {\"client\":4,\"op\":\"delete\",\"key\":\"x\",\"call\":210,\"return\":260,\"status\":\"ok\"}\n";
        let ops = parse_history(text).unwrap();
        assert_eq!(ops[0].result, Some(None));
        assert_eq!(ops[1].result, None);
        assert_eq!(
            ops[1].to_json_line() + "\n",
            text.lines().nth(1).unwrap().to_string() + "\n"
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let err = parse_history("\n{\"client\":1,\"op\":\"write\",\"key\":\"x\",\"call\":1,\"return\":2,\"status\":\"ok\"}").unwrap_err();
        assert_eq!(err.field, "line 2");
        assert!(err.problem.contains("value"));
        let err = parse_history("{\"client\":1,\"op\":\"jump\"}").unwrap_err();
        assert_eq!(err.field, "line 1");
    }
}
