//! `backprop grade` on a class of crafted submissions: one all right, one per kind of slip
//! the grader must name (sign flipped, derivative left out, updated weights used in the
//! hidden layer, η left out, rounded too early), a chain of follow-on values, unreadable
//! files (garbage, empty, binary, a text file, a folder), another student's numbers, a
//! submission without a key and a key without a submission. The gradebook expected is
//! written out below; each slipped value is worked out here by hand from the article's
//! numbers (or, for the 2-3-2 network, from its key's own values).

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::Path;

/// The 2-3-2 network of bob's key (and of mallory's copied numbers).
const BOB: &str = r#"{"layers": [2, 3, 2], "activation": "sigmoid", "learning_rate": 0.4,
  "weights": [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.7, 0.8, 0.9, 0.1, 0.2, 0.3]],
  "biases": [0.3, 0.5], "input": [0.1, 0.2], "target": [0.2, 0.8]}"#;

fn show_json(network: &Path) -> String {
    let out = cargo_bin_cmd!("backprop")
        .arg("show")
        .arg(network)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every (symbol, value) of a trace's iteration, in computation order.
fn values(trace: &str) -> Vec<(String, f64, String)> {
    let doc: serde_json::Value = serde_json::from_str(trace).unwrap();
    doc["iterations"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["symbol"].as_str().unwrap().to_string(),
                v["value"].as_f64().unwrap(),
                v["stage"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn value(values: &[(String, f64, String)], symbol: &str) -> f64 {
    values.iter().find(|v| v.0 == symbol).unwrap().1
}

/// Builds the class in `root`: `keys/` and `subs/`.
fn build_class(root: &Path) {
    let keys = root.join("keys");
    let subs = root.join("subs");
    fs::create_dir_all(&keys).unwrap();
    fs::create_dir_all(subs.join("old")).unwrap();
    fs::create_dir_all(root.join("marks")).unwrap();
    let article = show_json(Path::new("traces/article.json"));
    fs::write(root.join("bob-network.json"), BOB).unwrap();
    let bob = show_json(&root.join("bob-network.json"));
    for student in [
        "alice", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar",
        "peggy",
    ] {
        fs::write(keys.join(format!("{student}.json")), &article).unwrap();
    }
    fs::write(keys.join("bob.json"), &bob).unwrap();
    // A network file is a key as well as a trace is.
    fs::copy("traces/article.json", keys.join("carol.json")).unwrap();
    // The worksheets and filled derivations beside the keys are not keys.
    fs::write(keys.join("alice.md"), "# Alice's key\n").unwrap();

    // All right: every value of the template, at the article's 9 decimals.
    let mut all = String::from("symbol,value\n");
    for (symbol, v, _) in values(&article) {
        all.push_str(&format!("{symbol},{v:.9}\n"));
    }
    fs::write(subs.join("Alice.csv"), all).unwrap();

    // Sign flipped: ∂E_total/∂out_o1 = +(target − out), in JSON.
    let b = values(&bob);
    fs::write(
        subs.join("bob.json"),
        format!(
            "{{\"E_total\": {:.9}, \"∂E_total/∂out_o1\": {:.9}, \"dout_o1/dnet_o1\": {:.9}}}",
            value(&b, "E_total"),
            -value(&b, "dE_total/dout_o1"),
            value(&b, "dout_o1/dnet_o1"),
        ),
    )
    .unwrap();

    // Derivative left out: ∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂net_o1/∂w5, without
    // ∂out_o1/∂net_o1: 0.741365070 × 0.593269992.
    fs::write(
        subs.join("carol.csv"),
        "dE_total/dout_o1,0.741365070\ndout_o1/dnet_o1,0.186815602\n\
         dnet_o1/dw5,0.593269992\ndE_total/dw5,0.439829649\n",
    )
    .unwrap();

    // The updated w5⁺ used in the hidden layer: ∂E_o1/∂out_h1 = δ_o1 · w5⁺
    // = 0.138498562 × 0.358916480.
    fs::write(
        subs.join("dave.csv"),
        "delta_o1,0.138498562\ndelta_o2,-0.038098237\nw5+,0.358916480\nw7+,0.511301270\n\
         dE_o1/dout_h1,0.049709416\n",
    )
    .unwrap();

    // η left out: w5⁺ = w5 − ∂E_total/∂w5 = 0.4 − 0.082167041.
    fs::write(
        subs.join("erin.csv"),
        "dE_total/dw5,0.082167041\nw5+,0.317832959\n",
    )
    .unwrap();

    // Rounded too early: net_o1 from out_h1 and out_h2 at 4 decimals,
    // 0.4 × 0.5933 + 0.45 × 0.5969 + 0.6 = 1.105925, written with 6.
    fs::write(
        subs.join("frank.csv"),
        "out_h1,0.5933\nout_h2,0.5969\nnet_o1,1.105925\n",
    )
    .unwrap();

    // A follow-on chain: out_h1 miscopied (0.5943 for 0.5933); net_o1 and out_o1 computed
    // correctly from it: 0.4 × 0.5943 + 0.45 × 0.596884378 + 0.6 = 1.106317970, and
    // 1/(1 + e^−1.106317970) = 0.751442030.
    fs::write(
        subs.join("grace.csv"),
        "out_h1,0.5943\nout_h2,0.596884378\nnet_o1,1.106317970\nout_o1,0.751442030\n",
    )
    .unwrap();

    // Unreadable: garbage, empty, binary.
    fs::write(
        subs.join("heidi.csv"),
        "my homework is in the attached photo\n",
    )
    .unwrap();
    fs::write(subs.join("ivan.csv"), "").unwrap();
    fs::write(subs.join("judy.json"), [0x89, b'P', b'N', b'G', 0xff, 0x00]).unwrap();

    // Another student's numbers: mallory's key is the article's, her given values are bob's.
    let mut copied = String::new();
    for (symbol, v, stage) in &b {
        if stage == "given" {
            copied.push_str(&format!("{symbol},{v}\n"));
        }
    }
    copied.push_str(&format!("out_h1,{:.9}\n", value(&b, "out_h1")));
    fs::write(subs.join("mallory.csv"), copied).unwrap();

    // Right at the precision written, but "0" for dE_total/dw1 = 0.000438568 has no
    // significant digit: not counted as right (net_h1 = 0.3775 is, and so is the exact 0.05).
    fs::write(
        subs.join("oscar.csv"),
        "net_h1,0.3775\ndnet_h1/dw1,0.05\ndE_total/dw1,0\n",
    )
    .unwrap();

    // No key has this name (the nearest is alice's).
    fs::write(subs.join("alicia.csv"), "out_h1,0.5933\n").unwrap();
    // Not a homework file.
    fs::write(subs.join("notes.txt"), "remember to hand in\n").unwrap();
}

const GRADEBOOK: &str = "\
student,file,status,score,answered,right,follow_on,mistakes,too_few_digits,unknown,first_wrong,yours,correct,slip,slip_text,note
alice,Alice.csv,graded,100.0,66,66,0,0,0,0,,,,,,
alicia,alicia.csv,no_key,,,,,,,,,,,,,no key for this name; the nearest is alice
bob,bob.json,graded,66.7,3,2,0,1,0,0,dE_total/dout_o1,-0.674938501,0.674938501,sign_flipped,sign of (target − out) flipped,
carol,carol.csv,graded,75.0,4,3,0,1,0,0,dE_total/dw5,0.439829649,0.082167041,derivative_left_out,activation's derivative left out,
dave,dave.csv,graded,80.0,5,4,0,1,0,0,dE_o1/dout_h1,0.049709416,0.055399425,used_updated_weights,used the updated weights,
erin,erin.csv,graded,50.0,2,1,0,1,0,0,w5+,0.317832959,0.358916480,eta_left_out,η left out,
frank,frank.csv,graded,66.7,3,2,0,1,0,0,net_o1,1.105925,1.105905967,rounded_early,rounded too early,
grace,grace.csv,graded,75.0,4,1,2,1,0,0,out_h1,0.5943,0.593269992,,not a slip this tool recognises,
heidi,heidi.csv,unreadable,,,,,,,,,,,,,\"line 1: expected symbol,value (e.g. out_h1,0.593269992), got \"\"my homework is in the attached photo\"\"\"
ivan,ivan.csv,unreadable,,,,,,,,,,,,,the file is empty
judy,judy.json,unreadable,,,,,,,,,,,,,not UTF-8 text (byte 0 is not): save it as UTF-8 CSV or JSON
mallory,mallory.csv,wrong_student,,,,,,,,,,,,,\"these are bob's numbers: every given value written agrees with bob's key, and 10 of 15 disagree with this student's\"
notes,notes.txt,unreadable,,,,,,,,,,,,,a .txt file: expected .csv or .json
old,old,unreadable,,,,,,,,,,,,,\"a folder, not a file\"
oscar,oscar.csv,graded,66.7,3,2,0,0,1,0,,,,,,
peggy,,missing,,,,,,,,,,,,,no submission
";

#[test]
fn a_class_is_graded_into_the_expected_gradebook_and_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_class(root);
    let out = cargo_bin_cmd!("backprop")
        .current_dir(root)
        .args(["grade", "keys", "subs", "-o", "marks/gradebook.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let gradebook = fs::read_to_string(root.join("marks/gradebook.csv")).unwrap();
    assert_eq!(gradebook, GRADEBOOK);
    assert_eq!(
        stderr,
        "graded 8 of 15 submissions (5 unreadable, 1 without a key, 1 with another student's \
         numbers, 1 missing); feedback: marks/feedback\n"
    );

    // One page per row, beside the gradebook.
    let feedback = root.join("marks/feedback");
    let mut pages: Vec<String> = fs::read_dir(&feedback)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 16, "{pages:?}");
    let page = |name: &str| fs::read_to_string(feedback.join(name)).unwrap();
    assert!(page("alice.md").ends_with("Every value you computed is right. Well done!\n"));
    assert_eq!(
        page("oscar.md"),
        "# Feedback for oscar

Your submission: `oscar.csv`.

**Score: 66.7%**: the values right, or computed correctly from an earlier wrong value of yours, of the values counted.

- values counted: 3
- right: 2
- computed correctly from an earlier wrong value of yours (not counted as mistakes again): 0
- new mistakes: 0
- right at the precision written, but with too few digits to count: 1

## Too few digits

These agree with the correct value at the precision you wrote them, but with fewer than 3 significant digits they do not count as right: write more digits (each value is checked at the precision you write it).

- `∂E_total/∂w1`: yours 0, correct 0.000438568
"
    );
    assert_eq!(
        page("erin.md"),
        "# Feedback for erin

Your submission: `erin.csv`.

**Score: 50.0%**: the values right, or computed correctly from an earlier wrong value of yours, of the values counted.

- values counted: 2
- right: 1
- computed correctly from an earlier wrong value of yours (not counted as mistakes again): 0
- new mistakes: 1

## The first wrong value: `w5⁺`

- yours: 0.317832959
- correct: 0.358916480
- formula: `w5⁺ = w5 - η * ∂E_total/∂w5`
- with the correct numbers: `0.4 - 0.5 * 0.082167041 = 0.358916480`
- the likely slip: η left out of the update: w5⁺ = w − η·∂E_total/∂w
  (which gives 0.317832959)
"
    );
    let grace = page("grace.md");
    assert!(
        grace.contains(
            "- `net_o1` = 1.106317970 (from your out_h1)\n- `out_o1` = 0.751442030 (from your net_o1)\n"
        ),
        "{grace}"
    );
    assert_eq!(
        page("ivan.md"),
        "# Feedback for ivan\n\nYour submission `ivan.csv` could not be graded: the file is \
         empty. Correct it and hand it in again.\n"
    );
    assert!(page("mallory.md").contains("these are bob's numbers"));
    assert_eq!(
        page("peggy.md"),
        "# Feedback for peggy\n\nNo submission from you was found.\n"
    );

    // The same rows as JSON, for a program; --no-feedback writes no pages.
    let out = cargo_bin_cmd!("backprop")
        .current_dir(root)
        .args(["grade", "keys", "subs", "--format", "json", "--no-feedback"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format"], "backprop-tracer/gradebook");
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 16);
    assert_eq!(rows[2]["student"], "bob");
    assert_eq!(rows[2]["score"], 66.7);
    assert_eq!(rows[2]["slip"], "sign_flipped");
    assert_eq!(rows[14]["student"], "oscar");
    assert_eq!(rows[14]["too_few_digits"], 1);
    assert_eq!(rows[15]["status"], "missing");
    assert_eq!(rows[15]["file"], serde_json::Value::Null);
    assert!(!root.join("feedback").exists());
}

fn grade_error(args: &[&str], root: &Path) -> (i32, String) {
    let out = cargo_bin_cmd!("backprop")
        .current_dir(root)
        .arg("grade")
        .args(args)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn folders_that_cannot_be_graded_are_refused_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("keys")).unwrap();
    fs::create_dir_all(root.join("subs")).unwrap();
    fs::write(root.join("file.csv"), "out_h1,0.5933\n").unwrap();
    assert_eq!(
        grade_error(&["nowhere", "subs"], root),
        (
            1,
            "error: the key folder nowhere: no such folder\n".to_string()
        )
    );
    assert_eq!(
        grade_error(&["keys", "file.csv"], root),
        (
            1,
            "error: the key folder keys holds no key: expected one NAME.json per student (a \
             trace, as `backprop show NETWORK --format json` writes it, or a network file)\n"
                .to_string()
        )
    );
    fs::copy("traces/article.json", root.join("keys/alice.json")).unwrap();
    assert_eq!(
        grade_error(&["keys", "file.csv"], root),
        (
            1,
            "error: the submissions folder file.csv: not a folder\n".to_string()
        )
    );
    assert_eq!(grade_error(&["keys", "keys"], root).0, 2);
    // A .json in the key folder that is not a key is named, not skipped.
    fs::write(root.join("keys/bob.json"), "{\"layers\": [2, 2]}").unwrap();
    let (code, message) = grade_error(&["keys", "subs"], root);
    assert_eq!(code, 1);
    assert!(
        message.starts_with("error: key keys/bob.json: "),
        "{message}"
    );
    // Two keys for one student.
    fs::copy("traces/article.json", root.join("keys/bob.json")).unwrap();
    fs::copy("traces/article.json", root.join("keys/Alice.json")).unwrap();
    let (code, message) = grade_error(&["keys", "subs"], root);
    assert_eq!(code, 1);
    assert!(
        message.contains("are both for the student \"alice\""),
        "{message}"
    );
}
