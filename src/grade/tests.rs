use super::*;
use crate::network::Network;

fn report(text: &str) -> Report {
    let entries = homework::read(text).unwrap();
    homework::check(&Network::article(), &Options::default(), entries).unwrap()
}

#[test]
fn given_values_count_only_when_copied_wrongly() {
    // w1 and i1 copied right: not the student's work, not counted.
    let c = Counts::of(
        &report("w1,0.15\ni1,0.05\nout_h1,0.5933\nnet_o1,1.1059\n"),
        MIN_DIGITS,
    );
    assert_eq!(
        c,
        Counts {
            answered: 2,
            right: 2,
            ..Counts::default()
        }
    );
    assert_eq!(c.score(), Some(100.0));
    // w1 miscopied is a mistake; net_h1 computed from it follows from it.
    let net_h1 = 0.16 * 0.05 + 0.2 * 0.1 + 0.35;
    let c = Counts::of(
        &report(&format!("w1,0.16\nnet_h1,{net_h1:.9}\nbogus,1\n")),
        MIN_DIGITS,
    );
    assert_eq!(
        c,
        Counts {
            answered: 2,
            right: 0,
            follow_on: 1,
            mistakes: 1,
            too_few_digits: 0,
            unknown: 1,
        }
    );
    assert_eq!(c.score(), Some(50.0));
    // Only given values: nothing to score.
    assert_eq!(Counts::of(&report("w1,0.15\n"), MIN_DIGITS).score(), None);
}

#[test]
fn a_value_with_too_few_digits_is_not_counted_right_unless_it_is_exact() {
    // ∂E_total/∂w1 = 0.000438568: "0" and "0.0004" agree at the precision written, with 0
    // and 1 significant digits; "0.000439" has 3. ∂net_h1/∂w1 = i1 = 0.05 exactly.
    let text =
        "dE_total/dw1,0\nnet_h1,0.4\nout_h1,0.593\ndnet_h1/dw1,0.05\ndE_total/dw2,0.000877\n";
    let c = Counts::of(&report(text), MIN_DIGITS);
    assert_eq!(
        c,
        Counts {
            answered: 5,
            right: 3,
            too_few_digits: 2,
            ..Counts::default()
        }
    );
    assert_eq!(c.score(), Some(60.0));
    // With the floor off, every one is right.
    assert_eq!(Counts::of(&report(text), 0).right, 5);
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

#[test]
fn one_given_value_miscopied_is_graded_not_taken_for_another_students() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, subs) = (dir.path().join("keys"), dir.path().join("subs"));
    fs::create_dir_all(&keys).unwrap();
    fs::create_dir_all(&subs).unwrap();
    write(&keys, "ann.json", crate::network::ARTICLE_JSON);
    // ben's network differs from ann's in w1 only.
    write(
        &keys,
        "ben.json",
        &crate::network::ARTICLE_JSON.replacen("0.15", "0.16", 1),
    );
    write(&subs, "Ann.csv", "w1,0.16\nw2,0.2\nout_h1,0.5933\n");
    let class = grade(&keys, &subs, MIN_DIGITS).unwrap();
    let statuses: Vec<(&str, &str)> = class
        .rows
        .iter()
        .map(|r| (r.student.as_str(), gradebook::status(&r.outcome)))
        .collect();
    assert_eq!(statuses, [("ann", "graded"), ("ben", "missing")]);
    let Outcome::Graded(g) = &class.rows[0].outcome else {
        unreachable!()
    };
    assert_eq!(g.first_wrong().unwrap().symbol, "w1");
}

#[test]
fn feedback_pages_never_share_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, subs) = (dir.path().join("keys"), dir.path().join("subs"));
    fs::create_dir_all(&keys).unwrap();
    fs::create_dir_all(&subs).unwrap();
    write(&keys, "ann.json", crate::network::ARTICLE_JSON);
    write(&subs, "ann.csv", "out_h1,0.5933\n");
    write(&subs, "Ann.json", "{\"out_h1\": 0.5933}");
    write(&subs, "---.csv", "out_h1,0.5933\n");
    let class = grade(&keys, &subs, MIN_DIGITS).unwrap();
    let names = feedback::file_names(&class);
    let files: Vec<Option<&str>> = class.rows.iter().map(|r| r.file.as_deref()).collect();
    assert_eq!(files, [Some("---.csv"), Some("Ann.json"), Some("ann.csv")]);
    assert_eq!(names, ["student.md", "ann-json.md", "ann-csv.md"]);
    // A name with no letter is no student's: no key, and no key is nearest.
    assert!(matches!(
        class.rows[0].outcome,
        Outcome::NoKey { nearest: None }
    ));
}
