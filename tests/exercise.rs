//! `backprop exercise`: each student's own network, reproducible from their name; the
//! worksheet's boxes and the key's values one to one; the rule every drawn network meets,
//! checked here from the iteration's values over many seeds; the class workflow; refusals.

mod common;

use backprop_tracer::exercise::{self, Settings};
use backprop_tracer::loss::Loss;
use backprop_tracer::network::Activation;
use backprop_tracer::trace::{Parameter, Role, Stage};
use common::{scratch, stdout_of};
use std::collections::BTreeMap;
use std::path::Path;

fn backprop() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("backprop");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// The numbers of the boxes (`\boxed{…} \tag{n}`) of a worksheet, in order.
fn boxes(worksheet: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for line in worksheet.lines() {
        if let Some(at) = line.find("\\boxed{") {
            let tag = &line[at..];
            let n = tag
                .split("\\tag{")
                .nth(1)
                .and_then(|t| t.split('}').next())
                .unwrap_or_else(|| panic!("a box without its number: {line}"));
            out.push(n.parse().unwrap());
        }
    }
    out
}

/// The values of a key by their numbers: `… = 0.951200000 \tag{1}$$`.
fn tagged_values(key: &str) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    for line in key.lines() {
        let Some((before, tag)) = line.split_once(" \\tag{") else {
            continue;
        };
        let n: usize = tag.trim_end_matches("}$$").parse().unwrap();
        let value = before.rsplit(" = ").next().unwrap().to_string();
        assert!(
            out.insert(n, value).is_none(),
            "number {n} twice in the key"
        );
    }
    out
}

#[test]
fn a_name_gives_the_same_exercise_every_time_and_another_name_another() {
    let alice = stdout_of(&["exercise", "--student", "alice"]);
    assert_eq!(alice, stdout_of(&["exercise", "--student", "alice"]));
    // The name is read as its file stem: case and spaces around it do not matter.
    assert_eq!(alice, stdout_of(&["exercise", "--student", " alice "]));
    let bob = stdout_of(&["exercise", "--student", "bob"]);
    assert_ne!(alice, bob);
    let network = |name: &str| {
        let doc: serde_json::Value = serde_json::from_str(&stdout_of(&[
            "exercise",
            "--student",
            name,
            "--format",
            "json",
        ]))
        .unwrap();
        doc["network"].clone()
    };
    assert_eq!(network("alice"), network("Alice"));
    assert_ne!(network("alice"), network("bob"));
    // The seed is printed, and gives the same network.
    let out = backprop()
        .args(["exercise", "--student", "alice", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("Seed 149266183"), "{stderr}");
    let by_name: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_seed: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "exercise",
        "--seed",
        "149266183",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(by_name["network"], by_seed["network"]);
    assert_eq!(by_name["seed"], 149266183);
}

#[test]
fn alices_network_is_pinned_for_every_machine_and_version() {
    // If this changes, every worksheet handed out disagrees with the key drawn again: the
    // name's hash, the generator and the drawing of the numbers must never change.
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "exercise",
        "--student",
        "alice",
        "--format",
        "json",
    ]))
    .unwrap();
    let expected = serde_json::json!({
        "layers": [2, 2, 2],
        "activation": ["sigmoid", "sigmoid"],
        "loss": "half_squared_error",
        "learning_rate": 0.5,
        "weights": [[0.85, 0.32, 0.84, 0.46], [0.86, 0.65, 0.91, -0.66]],
        "biases": [0.62, 0.8],
        "update_biases": false,
        "input": [0.16, 0.61],
        "target": [0.05, 0.47]
    });
    assert_eq!(doc["network"], expected);
    let bob: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "exercise",
        "--student",
        "bob",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        bob["network"]["weights"],
        serde_json::json!([[0.67, -0.46, 0.24, 0.39], [0.59, -0.13, 0.77, 0.73]])
    );
}

#[test]
fn the_worksheets_boxes_and_the_keys_values_correspond_one_to_one() {
    for blank in ["all", "forward", "backward", "updates"] {
        let args = |extra: &[&str]| {
            let mut a = vec!["exercise", "--student", "carol", "--blank", blank];
            a.extend_from_slice(extra);
            stdout_of(&a)
        };
        let worksheet = args(&[]);
        let key = args(&["--key"]);
        let doc: serde_json::Value = serde_json::from_str(&args(&["--format", "json"])).unwrap();
        let trace: serde_json::Value =
            serde_json::from_str(&args(&["--key", "--format", "json"])).unwrap();

        let numbers = boxes(&worksheet);
        let listed = doc["blanks"].as_array().unwrap();
        assert!(!numbers.is_empty(), "--blank {blank}: no boxes");
        assert_eq!(numbers, (1..=listed.len()).collect::<Vec<_>>(), "{blank}");
        // The key has each number once, with a value, and no box.
        assert!(!key.contains("\\boxed"), "{blank}: the key has a box");
        let values = tagged_values(&key);
        assert_eq!(
            values.keys().copied().collect::<Vec<_>>(),
            numbers,
            "{blank}"
        );
        // Number n is the same value in the worksheet's list, the key and the trace.
        let by_symbol: BTreeMap<&str, f64> = trace["iterations"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["symbol"].as_str().unwrap(), v["value"].as_f64().unwrap()))
            .collect();
        for b in listed {
            let n = b["number"].as_u64().unwrap() as usize;
            let symbol = b["symbol"].as_str().unwrap();
            assert_eq!(
                values[&n],
                format!("{:.9}", by_symbol[symbol]),
                "{blank} ({n})"
            );
        }
        // The hand-in file asks for exactly the blanks, in order, and gives the given values.
        let hand_in = worksheet.split("```csv\n").nth(1).unwrap();
        let asked: Vec<&str> = hand_in
            .lines()
            .filter(|l| l.ends_with(','))
            .map(|l| l.trim_end_matches(','))
            .collect();
        let symbols: Vec<&str> = listed
            .iter()
            .map(|b| b["symbol"].as_str().unwrap())
            .collect();
        assert_eq!(asked, symbols, "{blank}");
        assert!(hand_in.contains("\ni1,"), "{hand_in}");
    }
}

#[test]
fn a_worksheet_never_shows_a_blanks_value() {
    // Every value the student must find is absent from the worksheet: not as a result, not
    // substituted into a later formula, not in a closing sentence.
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "exercise",
        "--student",
        "dave",
        "--format",
        "json",
    ]))
    .unwrap();
    let trace: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "exercise",
        "--student",
        "dave",
        "--key",
        "--format",
        "json",
    ]))
    .unwrap();
    let worksheet = stdout_of(&["exercise", "--student", "dave"]);
    let values = trace["iterations"][0]["values"].as_array().unwrap();
    for b in doc["blanks"].as_array().unwrap() {
        let v = values.iter().find(|v| v["symbol"] == b["symbol"]).unwrap();
        let x = v["value"].as_f64().unwrap();
        // At 4 decimals or more: a shorter number may be a given value too (0.5).
        for decimals in [4, 9] {
            let shown = format!("{x:.decimals$}");
            assert!(
                !worksheet.contains(&shown),
                "{} = {shown} is on the worksheet",
                b["symbol"]
            );
        }
    }
    // With --blank backward, the forward pass is written out (its numbers are given).
    let backward = stdout_of(&["exercise", "--student", "dave", "--blank", "backward"]);
    let out_o1 = values.iter().find(|v| v["symbol"] == "out_o1").unwrap();
    assert!(backward.contains(&format!("{:.9}", out_o1["value"].as_f64().unwrap())));
}

/// Whether `x` is a whole count of 10^-decimals, as a file writes it (`0.85`, not
/// `0.8500000001`).
fn has_decimals(x: f64, decimals: usize) -> bool {
    let text = x.to_string();
    text.split_once('.')
        .is_none_or(|(_, d)| d.len() <= decimals)
}

#[test]
fn every_drawn_network_meets_the_rule() {
    // The rule (exercise::THE_RULE), checked from the iteration's values over many seeds and
    // every kind of network an exercise can be, without the code that draws them.
    let kinds = [
        (
            vec![2, 2, 2],
            Activation::Sigmoid,
            Loss::HalfSquaredError,
            2,
        ),
        (
            vec![2, 2, 2],
            Activation::Sigmoid,
            Loss::HalfSquaredError,
            1,
        ),
        (vec![3, 4, 2], Activation::Tanh, Loss::HalfSquaredError, 2),
        (vec![2, 3, 2], Activation::Relu, Loss::MeanSquaredError, 3),
        (vec![2, 2, 2], Activation::Linear, Loss::HalfSquaredError, 1),
        (vec![2, 3, 3], Activation::Sigmoid, Loss::CrossEntropy, 2),
        (vec![2, 2, 2], Activation::Tanh, Loss::BinaryCrossEntropy, 2),
        (
            vec![2, 3, 2, 2],
            Activation::Sigmoid,
            Loss::HalfSquaredError,
            2,
        ),
    ];
    let mut checked = 0;
    for (layers, activation, loss, decimals) in kinds {
        let settings = Settings {
            layers,
            activation,
            loss,
            decimals,
        };
        for seed in 0..60u64 {
            let ex = exercise::draw(seed * 7919 + 13, &settings)
                .unwrap_or_else(|e| panic!("{settings:?}, seed {seed}: {e}"));
            check_rule(&ex, &settings);
            checked += 1;
        }
    }
    assert_eq!(checked, 480);
}

/// Asserts that `ex`, drawn with `settings`, meets the rule, read from its iteration's values.
fn check_rule(ex: &exercise::Exercise, settings: &Settings) {
    let (decimals, activation) = (settings.decimals, settings.activation);
    let values = &ex.trace.first().values;
    let find = |role: Role| values.iter().find(|v| v.role == Some(role)).unwrap().value;
    let mut gradients = 0;
    for v in values {
        match v.role.unwrap() {
            Role::Input { .. } | Role::Target { .. } | Role::Weight { .. } | Role::Bias { .. } => {
                assert!(
                    has_decimals(v.value, decimals as usize),
                    "{} = {} has more than {decimals} decimals",
                    v.symbol,
                    v.value
                )
            }
            Role::Net { updated: false, .. } => {
                assert!(v.value.abs() <= 2.5, "{} = {}", v.symbol, v.value)
            }
            Role::Gradient {
                of: Parameter::Weight { .. },
            } => {
                gradients += 1;
                // Visible at the article's 9 decimals with six significant digits.
                let shown = format!("{:.9}", v.value.abs());
                let significant = shown.trim_start_matches(['0', '.']).len();
                assert!(significant >= 6, "{} = {shown}", v.symbol);
            }
            _ => {}
        }
        if v.stage == Stage::Forward
            && let Some(Role::Out {
                layer,
                updated: false,
                ..
            }) = v.role
            && layer < ex.network.depth()
            && activation == Activation::Sigmoid
        {
            // No hidden sigmoid saturates.
            assert!(
                (0.07..=0.93).contains(&v.value),
                "{} = {}",
                v.symbol,
                v.value
            );
        }
    }
    let weights: usize = ex.network.weights.iter().map(Vec::len).sum();
    assert_eq!(gradients, weights);
    let depth = ex.network.depth();
    for j in 0..ex.network.layers[depth] {
        let out = find(Role::Out {
            layer: depth,
            neuron: j,
            updated: false,
        });
        assert!((find(Role::Target { neuron: j }) - out).abs() >= 0.05);
    }
    assert!(find(Role::Loss { updated: true }) < find(Role::Loss { updated: false }));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Any seed, any kind of exercise: the rule holds.
    #[test]
    fn any_seed_gives_a_network_that_meets_the_rule(
        seed in proptest::prelude::any::<u64>(),
        layers in proptest::collection::vec(1usize..=4, 2..=4),
        activation in proptest::sample::select(vec![
            Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::Linear,
        ]),
        loss in proptest::sample::select(Loss::ALL.to_vec()),
        decimals in 1u8..=3,
    ) {
        let outputs = layers[layers.len() - 1];
        proptest::prop_assume!(loss != Loss::CrossEntropy || outputs >= 2);
        let settings = Settings { layers, activation, loss, decimals };
        match exercise::draw(seed, &settings) {
            Ok(ex) => check_rule(&ex, &settings),
            // A kind of network the rule is too strict for is refused, saying so; never a
            // network that breaks it.
            Err(e) => proptest::prop_assert!(e.to_string().contains("met the rule"), "{e}"),
        }
    }
}

#[test]
fn worksheets_and_keys_render_in_katex() {
    let installed = Path::new("tests/js/node_modules/katex").exists();
    if !common::required(
        common::runs("node", "--version") && installed,
        "Node.js with tests/js/node_modules/katex (`npm ci --prefix tests/js`)",
    ) {
        return;
    }
    for args in [
        vec!["exercise", "--student", "erin"],
        vec!["exercise", "--student", "erin", "--key"],
        vec![
            "exercise",
            "--seed",
            "5",
            "--loss",
            "cross_entropy",
            "--layers",
            "2,3,3",
            "--lang",
            "zh",
        ],
    ] {
        let doc = stdout_of(&args);
        let mut node = std::process::Command::new("node");
        node.arg("tests/js/katex-check.mjs");
        let out = common::piped(node, doc.as_bytes());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(summary["fragments"].as_u64().unwrap() > 40, "{summary}");
    }
}

#[test]
fn a_class_gets_one_worksheet_and_one_key_each_and_the_key_grades_the_answers() {
    let dir = scratch();
    let roster = dir.path().join("roster.txt");
    std::fs::write(&roster, "# Class 3B\nAlice Martin\n\n王小明\nO'Neil, Bob\n").unwrap();
    let out = dir.path().join("class");
    backprop()
        .args(["exercise", "--class"])
        .arg(&roster)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let index = std::fs::read_to_string(out.join("class.csv")).unwrap();
    let seeds: Vec<u64> = ["alice-martin", "王小明", "o-neil-bob"]
        .iter()
        .map(|s| exercise::seed_of(s).unwrap())
        .collect();
    assert_eq!(
        index,
        format!(
            "student,file,seed\nAlice Martin,alice-martin,{}\n王小明,王小明,{}\n\"O'Neil, Bob\",o-neil-bob,{}\n",
            seeds[0], seeds[1], seeds[2]
        )
    );
    for slug in ["alice-martin", "王小明", "o-neil-bob"] {
        for file in [
            format!("worksheets/{slug}.md"),
            format!("worksheets/{slug}.svg"),
            format!("worksheets/{slug}.csv"),
            format!("worksheets/{slug}.html"),
            format!("keys/{slug}.md"),
            format!("keys/{slug}.json"),
        ] {
            assert!(out.join(&file).is_file(), "{file} is missing");
        }
    }
    // The student's worksheet is the one --student gives (but for its figure).
    let derivation = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with("![") && !l.contains("figure is written beside"))
            .map(str::to_string)
            .collect()
    };
    let written = std::fs::read_to_string(out.join("worksheets/alice-martin.md")).unwrap();
    assert!(written.contains("](<alice-martin.svg>)"));
    assert_eq!(
        derivation(&written),
        derivation(&stdout_of(&["exercise", "--student", "Alice Martin"]))
    );
    // The hand-in file, filled with the key's values at 6 decimals, agrees with the key.
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("keys/alice-martin.json")).unwrap())
            .unwrap();
    let values = key["iterations"][0]["values"].as_array().unwrap();
    let hand_in = std::fs::read_to_string(out.join("worksheets/alice-martin.csv")).unwrap();
    let filled: String = hand_in
        .lines()
        .map(|line| match line.strip_suffix(',') {
            Some(symbol) => {
                let v = values.iter().find(|v| v["symbol"] == symbol).unwrap();
                format!("{symbol},{:.6}\n", v["value"].as_f64().unwrap())
            }
            None => format!("{line}\n"),
        })
        .collect();
    let answers = dir.path().join("alice-martin.csv");
    std::fs::write(&answers, filled).unwrap();
    let report = backprop()
        .args(["verify", "--format", "json", "--network"])
        .arg(out.join("keys/alice-martin.json"))
        .arg(&answers)
        .output()
        .unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(verdict["result"], "agrees", "{verdict}");
    assert_eq!(verdict["checked"], 81);
    assert!(report.status.success());

    // And `grade` reads the class's keys folder as it is: the filled hand-in scores 100, the
    // students who handed nothing in are listed as missing.
    let submissions = dir.path().join("submissions");
    std::fs::create_dir(&submissions).unwrap();
    std::fs::rename(&answers, submissions.join("Alice Martin.csv")).unwrap();
    let gradebook = dir.path().join("gradebook.csv");
    backprop()
        .arg("grade")
        .arg(out.join("keys"))
        .arg(&submissions)
        .arg("-o")
        .arg(&gradebook)
        .assert()
        .success();
    let rows: Vec<Vec<String>> = std::fs::read_to_string(&gradebook)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(4).map(String::from).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["alice-martin", "Alice Martin.csv", "graded", "100.0"],
            ["o-neil-bob", "", "missing", ""],
            ["王小明", "", "missing", ""],
        ]
        .map(|r| r.map(String::from).to_vec())
    );
}

#[test]
fn a_roster_that_cannot_be_used_is_refused_with_the_line() {
    let dir = scratch();
    let roster = dir.path().join("roster.txt");
    // The class of `text`, which must be refused: its message.
    let refused = |text: &str| {
        std::fs::write(&roster, text).unwrap();
        let out = backprop()
            .args(["exercise", "--class"])
            .arg(&roster)
            .arg("-o")
            .arg(dir.path().join("c"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{text}");
        String::from_utf8(out.stderr).unwrap()
    };
    let stderr = refused("Alice\nbob\nALICE\n");
    assert!(
        stderr.contains("line 3")
            && stderr.contains("same file name (alice)")
            && stderr.contains("line 1"),
        "{stderr}"
    );
    assert!(refused("# nobody\n\n").contains("no names"));
    assert!(refused("Alice\n?!\n").contains("line 2"));
    // --class without -o: a usage error.
    backprop()
        .args(["exercise", "--class"])
        .arg(&roster)
        .assert()
        .code(2);
    let missing = backprop()
        .args(["exercise", "--class", "no-such-roster.txt", "-o"])
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-roster.txt"));
}

#[test]
fn settings_out_of_range_are_usage_errors_that_say_what_is_accepted() {
    for (args, expected) in [
        (vec!["--layers", "5,2"], "1 to 4 neurons per layer"),
        (vec!["--layers", "2"], "2 to 4 layers"),
        (vec!["--layers", "2,2,2,2,2"], "2 to 4 layers"),
        (vec!["--decimals", "4"], "1..=3"),
        (vec!["--activation", "softmax"], "possible values"),
        (
            vec!["--loss", "cross_entropy", "--layers", "2,2,1"],
            "at least 2 neurons",
        ),
        (vec!["--student", "?!"], "at least one letter or digit"),
        (vec!["--student", "a", "--seed", "3"], "cannot be used with"),
    ] {
        let out = backprop().arg("exercise").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_markdown_file_gets_its_figure_beside_it_and_a_key_its_trace() {
    let dir = scratch();
    let sheet = dir.path().join("sheet.md");
    backprop()
        .args(["exercise", "--seed", "9", "-o"])
        .arg(&sheet)
        .assert()
        .success();
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.contains("](<sheet.svg>)"), "{text}");
    let svg = std::fs::read_to_string(dir.path().join("sheet.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    let key = dir.path().join("key.md");
    backprop()
        .args(["exercise", "--seed", "9", "--key", "-o"])
        .arg(&key)
        .assert()
        .success();
    let trace = std::fs::read_to_string(dir.path().join("key.json")).unwrap();
    assert_eq!(
        trace,
        stdout_of(&["exercise", "--seed", "9", "--key", "--format", "json"])
    );
    // A name whose figure would overwrite it is refused.
    let out = backprop()
        .args(["exercise", "--seed", "9", "-o"])
        .arg(dir.path().join("sheet.svg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ends in .md or .html"));
    // A key as a page has its trace beside it too.
    backprop()
        .args(["exercise", "--seed", "9", "--key", "--format", "html", "-o"])
        .arg(dir.path().join("key-page.html"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("key-page.json")).unwrap(),
        trace
    );
}
