//! Reading the network: a file, standard input (`-`), or the article's built-in network.

use anyhow::{Context, Result};
use backprop_tracer::network::Network;
use std::io::Read;
use std::path::Path;

/// Loads the network named on the command line, printing any warnings about it. Returns
/// the name to use in messages about it, and the network.
pub fn load_network(path: Option<&Path>) -> Result<(String, Network)> {
    load_network_seeded(path, None)
}

/// As [`load_network`], with `seed` (when given) in place of the file's: the seed of the
/// weights and biases the file leaves out, recorded in the network.
pub fn load_network_seeded(path: Option<&Path>, seed: Option<u64>) -> Result<(String, Network)> {
    let Some(path) = path else {
        let mut net = Network::article();
        net.seed = seed.or(net.seed);
        return Ok(("the article's network".to_string(), net));
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
    let (net, warnings) =
        Network::from_json_str_seeded(&text, seed).with_context(|| name.clone())?;
    for w in warnings {
        crate::output::to_stderr(&format!("warning: {name}: {w}"));
    }
    Ok((name, net))
}
