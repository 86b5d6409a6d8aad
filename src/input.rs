//! Reading the network: a file, standard input (`-`), or the article's built-in network.

use anyhow::{Context, Result};
use backprop_tracer::network::{Network, NetworkFile};
use backprop_tracer::trace::Options;
use std::io::Read;
use std::path::Path;

/// A network as a command loaded it.
pub struct Loaded {
    /// The name to use in messages about it: the file's, `<stdin>`, or "the article's network".
    pub name: String,
    /// The network.
    pub network: Network,
    /// When the file was a trace, the options it was recorded with.
    pub trace_options: Option<Options>,
}

/// Loads the network named on the command line, printing any warnings about it, with `seed`
/// (when given) in place of the file's: the seed of the weights and biases the file leaves
/// out, recorded in the network. Returns the name to use in messages about it, and the
/// network.
pub fn load_network_seeded(path: Option<&Path>, seed: Option<u64>) -> Result<(String, Network)> {
    let loaded = load(path, seed)?;
    Ok((loaded.name, loaded.network))
}

/// As [`load_network_seeded`], keeping the options of a trace.
pub fn load(path: Option<&Path>, seed: Option<u64>) -> Result<Loaded> {
    let Some(path) = path else {
        let mut network = Network::article();
        network.seed = seed.or(network.seed);
        return Ok(Loaded {
            name: "the article's network".to_string(),
            network,
            trace_options: None,
        });
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
    let file = NetworkFile::read(&text, seed).with_context(|| name.clone())?;
    for w in file.warnings {
        crate::output::to_stderr(&format!("warning: {name}: {w}"));
    }
    Ok(Loaded {
        name,
        network: file.network,
        trace_options: file.trace_options,
    })
}
