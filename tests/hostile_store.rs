//! Hostile runs against the output folder (issue 11, "lost or misplaced
//! files", init, write faults): a run only ever replaces, moves or removes
//! what the previous plan's manifest lists, never writes through a link, is
//! the old plan or the new one at every instant, and reports a full or
//! read-only disk as exit 4 with the previous plan untouched.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::hostile::{assert_same, assert_unchanged_outside, snapshot, Entry};
use support::{Fixture, Output, SMALL_TARGETS};

/// The regular files of a plan folder and their bytes.
fn files(dir: &Path) -> BTreeMap<String, Entry> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, e)| matches!(e, Entry::File(_)))
        .collect()
}

/// The small fixture with a second version of its targets (North +10,000).
const NEW_TARGETS: &str = "scope,metric,period,amount\nNorth,revenue,2027,130000\nSouth,revenue,2027,60000.50\nNorth,visits,2027,1000\nSouth,visits,2027,500\n";

fn split(f: &Fixture, out: &str, extra: &[&str]) -> Output {
    let mut args = vec!["split", "plan.toml", "--out", out];
    args.extend_from_slice(extra);
    f.run(&args)
}

/// The plan files of the fixture's new targets, made in a folder of their own.
fn new_plan(f: &Fixture) -> BTreeMap<String, Entry> {
    f.write("targets.csv", NEW_TARGETS);
    assert_eq!(split(f, "reference", &[]).code, 0);
    let plan = files(&f.path("reference"));
    std::fs::remove_dir_all(f.path("reference")).unwrap();
    let _ = std::fs::remove_dir_all(f.path(".reference.plan-spare"));
    let _ = std::fs::remove_file(f.path(".reference.plan-lock"));
    plan
}

#[test]
fn force_then_later_runs_keep_the_users_files_in_place() {
    let f = Fixture::small();
    f.write("mine/notes.txt", "my notes");
    f.write("mine/sub/keep.csv", "a,b\n");
    let o = split(&f, "mine", &["--force"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for round in 0..3 {
        f.write(
            "targets.csv",
            if round % 2 == 0 {
                NEW_TARGETS
            } else {
                SMALL_TARGETS
            },
        );
        let o = split(&f, "mine", &[]);
        assert_eq!(o.code, 0, "round {round}: {}", o.stderr);
        assert!(
            o.stderr.contains("notes.txt"),
            "the kept files are named: {}",
            o.stderr
        );
        assert_eq!(f.read("mine/notes.txt"), "my notes");
        assert_eq!(f.read("mine/sub/keep.csv"), "a,b\n");
        for spare in [
            ".mine.plan-spare/notes.txt",
            ".mine.plan-spare/sub/keep.csv",
        ] {
            assert!(!f.path(spare).exists(), "round {round}: {spare}");
        }
    }
    assert!(f.path("mine/plan.csv").is_file() && f.path("mine/manifest.json").is_file());
}

#[test]
fn a_file_added_to_a_plan_folder_stays_and_old_plan_files_go() {
    let f = Fixture::small();
    f.split_ok();
    f.write("out/README.txt", "ours");
    // One rep fewer: the new plan has no letter for N3.
    let reps = support::SMALL_REPS.replace("N3,Cy,cy@x.com,North,1,1,2027-03-15,\n", "");
    f.write("reps.csv", &reps);
    let o = split(&f, "out", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(f.read("out/README.txt"), "ours");
    assert!(
        !f.path("out/reps/N3.xlsx").exists(),
        "a file of the old plan only is removed"
    );
    let manifest: serde_json::Value = serde_json::from_str(&f.read("out/manifest.json")).unwrap();
    for entry in manifest["files"].as_array().unwrap() {
        let p = entry["path"].as_str().unwrap();
        let sha = plan::folder::manifest::sha256_hex(
            &std::fs::read(f.path(&format!("out/{p}"))).unwrap(),
        );
        assert_eq!(entry["sha256"], sha.as_str(), "{p}");
    }
}

#[test]
fn a_users_file_where_a_new_plan_file_goes_is_refused_without_force() {
    let f = Fixture::small();
    f.split_ok();
    f.write("out/notes.txt", "ours");
    // The next plan writes reps/N9.xlsx, where the user keeps a file of their own.
    f.write(
        "reps.csv",
        &format!("{}N9,Nia,nia@x.com,North,1,1,,\n", support::SMALL_REPS),
    );
    f.write("out/reps/N9.xlsx", "not a plan file");
    let before = snapshot(f.dir.path());
    split(&f, "out", &[]).fails_with(
        4,
        &["out/reps/N9.xlsx", "not a regular file written by plan"],
    );
    assert_eq!(
        snapshot(f.dir.path()).get("out/reps/N9.xlsx"),
        before.get("out/reps/N9.xlsx")
    );
    assert_eq!(files(&f.path("out")), files_of(&before, "out"));
}

/// The regular files under `prefix/` of a snapshot, relative to it.
fn files_of(snap: &BTreeMap<String, Entry>, prefix: &str) -> BTreeMap<String, Entry> {
    snap.iter()
        .filter_map(|(k, v)| {
            let rel = k.strip_prefix(&format!("{prefix}/"))?;
            matches!(v, Entry::File(_)).then(|| (rel.to_string(), v.clone()))
        })
        .collect()
}

#[test]
fn out_through_itself_or_a_link_never_loses_the_plan() {
    let f = Fixture::small();
    f.split_ok();
    let plan = files(&f.path("out"));
    // `out/../out` is `out`: it is replaced like `out`.
    f.write("targets.csv", NEW_TARGETS);
    let o = split(&f, "out/../out", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(files(&f.path("out")) != plan, "replaced");
    // `out/..` is the fixture folder itself: not a plan folder, refused.
    let before = snapshot(f.dir.path());
    split(&f, "out/..", &[]).fails_with(4, &["not a plan"]);
    assert_same(&before, &snapshot(f.dir.path()), "the fixture");
    // A link as --out is refused; what it points to is untouched.
    std::os::unix::fs::symlink(f.path("out"), f.path("link")).unwrap();
    let before = snapshot(f.dir.path());
    split(&f, "link", &[]).fails_with(4, &["link", "symbolic link"]);
    assert_same(&before, &snapshot(f.dir.path()), "the fixture");
    let plan = files(&f.path("out"));
    assert_eq!(split(&f, "out/reps/..", &[]).code, 0, "out/reps/.. is out");
    assert_eq!(files(&f.path("out")), plan);
}

#[test]
fn links_planted_in_the_spare_are_never_written_through() {
    let f = Fixture::small();
    f.split_ok();
    f.split_ok();
    assert!(f.path(".out.plan-spare/plan.csv").is_file());
    f.write("victim.csv", "precious");
    f.write("elsewhere/keep.txt", "keep");
    std::fs::remove_file(f.path(".out.plan-spare/plan.csv")).unwrap();
    std::os::unix::fs::symlink(f.path("victim.csv"), f.path(".out.plan-spare/plan.csv")).unwrap();
    std::fs::remove_dir_all(f.path(".out.plan-spare/reps")).unwrap();
    std::os::unix::fs::symlink(f.path("elsewhere"), f.path(".out.plan-spare/reps")).unwrap();
    std::fs::remove_file(f.path(".out.plan-spare/plan.xlsx")).unwrap();
    std::fs::hard_link(f.path("victim.csv"), f.path(".out.plan-spare/plan.xlsx")).unwrap();
    let before = snapshot(f.dir.path());
    f.write("targets.csv", NEW_TARGETS);
    let o = split(&f, "out", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut after = snapshot(f.dir.path());
    after.insert("targets.csv".into(), before["targets.csv"].clone());
    assert_unchanged_outside(&before, &after, "out");
    assert_eq!(f.read("victim.csv"), "precious");
    assert_eq!(f.read("elsewhere/keep.txt"), "keep");
    assert_eq!(std::fs::read_dir(f.path("elsewhere")).unwrap().count(), 1);
    assert!(f.path("out/reps").is_dir() && !f.path("out/reps").is_symlink());
}

#[test]
fn links_planted_in_the_plan_folder_are_refused_not_followed() {
    let f = Fixture::small();
    f.split_ok();
    f.write("victim.csv", "precious");
    std::fs::remove_file(f.path("out/plan.csv")).unwrap();
    std::os::unix::fs::symlink(f.path("victim.csv"), f.path("out/plan.csv")).unwrap();
    let before = snapshot(f.dir.path());
    split(&f, "out", &[]).fails_with(4, &["out/plan.csv", "not a regular file written by plan"]);
    let after = snapshot(f.dir.path());
    assert_unchanged_outside(&before, &after, "out");
    assert_same(
        &files_of(&before, "out"),
        &files_of(&after, "out"),
        "the plan folder",
    );
    assert_eq!(
        after.get("out/plan.csv"),
        before.get("out/plan.csv"),
        "the link stays"
    );
    // A dangling link: also never written through.
    std::fs::remove_file(f.path("out/plan.csv")).unwrap();
    std::os::unix::fs::symlink(f.path("new-victim.csv"), f.path("out/plan.csv")).unwrap();
    assert_eq!(split(&f, "out", &[]).code, 4);
    assert!(!f.path("new-victim.csv").exists());
}

#[test]
fn init_never_writes_through_a_link() {
    let f = Fixture::new();
    std::fs::create_dir(f.path("t")).unwrap();
    std::os::unix::fs::symlink(f.path("outside.toml"), f.path("t/plan.toml")).unwrap();
    let before = snapshot(f.dir.path());
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["init", "t"];
        args.extend_from_slice(extra);
        f.run(&args).fails_with(4, &["plan.toml"]);
        assert!(!f.path("outside.toml").exists());
        assert_same(&before, &snapshot(f.dir.path()), "the fixture");
    }
}

#[test]
fn a_reaplan_without_a_readable_plan_csv_exits_3_unless_fresh() {
    let f = Fixture::small();
    f.split_ok();
    let keep = std::fs::read(f.path("out/plan.csv")).unwrap();
    std::fs::remove_file(f.path("out/plan.csv")).unwrap();
    let before = snapshot(f.dir.path());
    split(&f, "out", &["--as-of", "2027-06-15"]).fails_with(3, &["out/plan.csv", "--fresh"]);
    assert_same(&before, &snapshot(f.dir.path()), "the fixture");
    std::fs::create_dir(f.path("out/plan.csv")).unwrap();
    split(&f, "out", &["--as-of", "2027-06-15"]).fails_with(3, &["out/plan.csv"]);
    std::fs::remove_dir(f.path("out/plan.csv")).unwrap();
    f.write_bytes("out/plan.csv", b"team,rep_id\n");
    split(&f, "out", &["--as-of", "2027-06-15"]).fails_with(3, &["out/plan.csv"]);
    std::fs::write(f.path("out/plan.csv"), &keep).unwrap();
    let o = split(&f, "out", &["--as-of", "2027-06-15", "--fresh"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn dry_runs_checks_and_failed_runs_leave_every_folder_as_found() {
    let f = Fixture::small();
    let before = snapshot(f.dir.path());
    assert_eq!(split(&f, "out", &["--dry-run"]).code, 0);
    assert_eq!(f.run(&["check", "plan.toml"]).code, 0);
    f.write(
        "bad.csv",
        "scope,metric,period,amount\nNorth,revenue,2027,-5\n",
    );
    let before_bad = snapshot(f.dir.path());
    assert_eq!(
        f.run(&["split", "plan.toml", "--targets", "bad.csv", "--out", "out"])
            .code,
        3
    );
    assert_same(&before_bad, &snapshot(f.dir.path()), "after a failed run");
    std::fs::remove_file(f.path("bad.csv")).unwrap();
    assert_same(&before, &snapshot(f.dir.path()), "the fixture");
}

/// The small fixture and its new plan, when strace is installed (else skipped, saying why).
fn with_strace() -> Option<(Fixture, BTreeMap<String, Entry>)> {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: strace is not installed (apt-get install strace)");
        return None;
    }
    let f = Fixture::small();
    let new = new_plan(&f);
    Some((f, new))
}

#[test]
fn a_kill_at_any_rename_leaves_the_old_plan_or_the_new_one() {
    let Some((f, new)) = with_strace() else {
        return;
    };
    for n in 1..=4 {
        f.write("targets.csv", SMALL_TARGETS);
        f.split_ok();
        f.split_ok();
        let old = files(&f.path("out"));
        f.write("targets.csv", NEW_TARGETS);
        let bin = assert_cmd::cargo::cargo_bin("plan");
        let status = std::process::Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-o",
                "/dev/null",
                "-e",
                "trace=rename,renameat,renameat2",
            ])
            .arg(format!(
                "-einject=rename,renameat,renameat2:signal=KILL:when={n}"
            ))
            .arg(&bin)
            .args(["split", "plan.toml", "--out", "out", "-q"])
            .current_dir(f.dir.path())
            .status()
            .unwrap();
        let now = files(&f.path("out"));
        assert!(
            now == old || now == new,
            "kill at rename {n} ({status}): out is neither plan"
        );
        f.split_ok();
        assert_eq!(
            files(&f.path("out")),
            new,
            "the run after the kill at rename {n}"
        );
    }
}

/// Mounts a small tmpfs at `dir` (root only); false where mounting is not allowed.
fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

struct Mounted<'a>(&'a Path);

impl Drop for Mounted<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.0).status();
    }
}

#[test]
fn a_full_or_read_only_disk_is_exit_4_with_the_plan_untouched() {
    let f = Fixture::small();
    let disk = f.path("disk");
    if !mount_tmpfs(&disk, "4m") {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let _m = Mounted(&disk);
    let o = split(&f, "disk/out", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let plan = files(&disk.join("out"));
    // Fill the disk, then plan again with other targets.
    let filler = vec![7u8; 64 << 10];
    let mut fill = std::fs::File::create(disk.join("filler")).unwrap();
    while std::io::Write::write_all(&mut fill, &filler).is_ok() {}
    drop(fill);
    f.write("targets.csv", NEW_TARGETS);
    let o = split(&f, "disk/out", &[]);
    o.fails_with(4, &["disk/"]);
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    assert_eq!(
        files(&disk.join("out")),
        plan,
        "the previous plan is untouched"
    );
    std::fs::remove_file(disk.join("filler")).unwrap();
    // Read-only.
    let ro = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk)
        .status()
        .unwrap();
    assert!(ro.success());
    let o = split(&f, "disk/out", &[]);
    o.fails_with(4, &["disk/"]);
    assert_same(&plan, &files(&disk.join("out")), "the previous plan");
}

#[test]
fn a_full_tmpdir_for_a_large_plan_is_exit_4_not_a_panic() {
    let f = Fixture::small();
    let tmp = f.path("tmpdir");
    if !mount_tmpfs(&tmp, "64k") {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let _m = Mounted(&tmp);
    // 1,100 reps: the rep sheets go through temporary files.
    let mut reps = String::from("rep_id,name,email,team,capability,fte,start_date,end_date\n");
    for i in 0..1100 {
        reps.push_str(&format!(
            "R{i:04},Rep {i},r{i}@x.com,{},1,1,,\n",
            if i % 2 == 0 { "North" } else { "South" }
        ));
    }
    f.write("reps.csv", &reps);
    f.write("plan.toml", "[inputs]\ntargets = \"targets.csv\"\nreps = \"reps.csv\"\n[metrics.visits]\nkind = \"count\"\n[output]\nrep_workbooks = false\n");
    let before = snapshot(f.dir.path());
    let out = assert_cmd::Command::cargo_bin("plan")
        .unwrap()
        .current_dir(f.dir.path())
        .env("TMPDIR", &tmp)
        .args(["split", "plan.toml", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("TMPDIR") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let after = snapshot(f.dir.path());
    assert_unchanged_outside(&before, &after, "out");
    assert!(!f.path("out").exists());
}

#[test]
fn a_fault_midway_through_a_file_by_file_install_says_so_and_the_rerun_completes() {
    let Some((f, new)) = with_strace() else {
        return;
    };
    f.write("targets.csv", SMALL_TARGETS);
    f.split_ok();
    f.write("out/notes.txt", "mine");
    f.write("targets.csv", NEW_TARGETS);
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=renameat"])
        .arg("-einject=renameat:error=EIO:when=3")
        .arg(assert_cmd::cargo::cargo_bin("plan"))
        .args(["split", "plan.toml", "--out", "out"])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("part of the new plan"), "{stderr}");
    assert!(
        !stderr.contains("untouched;") && !stderr.contains("is untouched"),
        "{stderr}"
    );
    assert_eq!(f.read("out/notes.txt"), "mine");
    f.split_ok();
    let mut now = files(&f.path("out"));
    assert_eq!(now.remove("notes.txt"), Some(Entry::File(b"mine".to_vec())));
    assert!(now == new, "the rerun completes the new plan");
}

#[test]
fn a_trailing_slash_never_lets_a_link_through() {
    let f = Fixture::small();
    f.split_ok();
    std::fs::create_dir(f.path("real")).unwrap();
    for link in ["lnk", "trk", "el", "d"] {
        std::os::unix::fs::symlink(f.path("real"), f.path(link)).unwrap();
    }
    f.write("actuals.csv", "date,rep_id,amount\n2027-01-10,N1,5\n");
    let before = snapshot(f.dir.path());
    split(&f, "lnk/", &[]).fails_with(4, &["symbolic link"]);
    f.run(&[&support::TRACK_MARCH[..], &["--out", "trk/"]].concat())
        .fails_with(4, &["trk", "symbolic link"]);
    f.run(&[
        "mail",
        "--plan",
        "out",
        "--eml",
        "el/",
        "--from",
        "A <a@b.c>",
    ])
    .fails_with(4, &["el", "symbolic link"]);
    f.run(&["init", "d/"]).fails_with(4, &["symbolic link"]);
    assert_same(&before, &snapshot(f.dir.path()), "the fixture");
    assert_eq!(std::fs::read_dir(f.path("real")).unwrap().count(), 0);
    // A trailing slash on a real folder is the folder.
    let o = split(&f, "out/../out/", &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn a_refused_out_leaves_no_lock_file_beside_it() {
    let f = Fixture::small();
    f.write("mine/notes.txt", "mine");
    let before = snapshot(f.dir.path());
    for out in ["mine", "plan.toml", "targets.csv", "."] {
        assert_eq!(split(&f, out, &[]).code, 4, "{out}");
    }
    assert_same(&before, &snapshot(f.dir.path()), "after refused runs");
}
