//! Reading the network: a file, standard input (`-`), or the article's built-in network.

use anyhow::{Context, Result};
use backprop_tracer::network::Network;
use std::io::Read;
use std::path::Path;

/// Loads the network named on the command line, printing any warnings about it. Returns
/// the name to use in messages about it, and the network.
pub fn load_network(path: Option<&Path>) -> Result<(String, Network)> {
    let Some(path) = path else {
        return Ok(("the article's network".to_string(), Network::article()));
    };
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the network from standard input")?;
        ("<stdin>".to_string(), text)
    } else {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        (name, text)
    };
    let (net, warnings) = Network::from_json_str(&text).with_context(|| name.clone())?;
    for w in warnings {
        eprintln!("warning: {name}: {w}");
    }
    Ok((name, net))
}
