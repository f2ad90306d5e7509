//! The integrity engine: does a record an institution linked to a My Number belong to that
//! person? Pure Rust, no I/O; used by the offline inspection tool, the in-portal scan, the
//! caseworker's pre-check, the register search and re-verification.
//!
//! It is Fellegi–Sunter record linkage, as Splink and recordlinkage do it:
//! 1. [`features`]: each attribute normalized once (kanji variants, kana width and long vowels,
//!    address notation, dates), and parsed (name parts, address parts).
//! 2. [`compare`]: each attribute of the record compared with the register person's in graded
//!    levels (exact, same sound, a typo, one part, differs …), not same/differs.
//! 3. [`model`]: for every level an m and a u probability, `u` from random register pairs and
//!    `m` by expectation–maximisation over the links themselves, with term-frequency adjustment
//!    of name agreement. A pair's match weight is the sum of log2(m/u) in bits.
//! 4. [`register`]: the linked person's weight plus the prior gives the probability that the
//!    link is right; someone else in the register who explains the record clearly better (a
//!    rival, found through several blocking keys) makes it wrong and is the suggested owner;
//!    readable rules cover public-fund accounts, deceased people and thin evidence. Every
//!    result carries its [`register::Evidence`]: the waterfall of contributions.
//!
//! Verdicts come from the probability by thresholds set a priori ([`register::WRONG_PERSON_P`],
//! [`register::NEEDS_REVIEW_P`]), never fitted to an evaluation's truth.

pub mod compare;
pub mod features;
pub mod model;
pub mod register;

pub use model::{Model, Patterns};
pub use register::{
    reason, sources_linked_to_several, DuplicateNumbers, Evidence, LinkAssessment, LinkContext,
    Register, RegisterBuilder, Snapshot, Suggestion, Verdict3,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::category::Category;
    use crate::domain::matching::Identity;

    fn id(k: &str, kana: &str, b: &str, s: &str, a: &str) -> Identity {
        Identity::from_cells(k, kana, b, s, a)
    }

    fn taro() -> Identity {
        id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "東京都千代田区霞が関2丁目1番2号",
        )
    }

    /// A register of the given people plus 300 unrelated ones (so term frequencies and random
    /// pairs mean something).
    fn register(people: &[(u64, Identity, &str)]) -> Register {
        let mut b = RegisterBuilder::default();
        let fam = [
            "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林",
        ];
        let fam_k = [
            "サトウ",
            "スズキ",
            "タカハシ",
            "タナカ",
            "イトウ",
            "ワタナベ",
            "ナカムラ",
            "コバヤシ",
        ];
        let giv = ["花子", "一郎", "美咲", "翔太", "陽菜", "大輔"];
        let giv_k = [
            "ハナコ",
            "イチロウ",
            "ミサキ",
            "ショウタ",
            "ヒナ",
            "ダイスケ",
        ];
        for i in 0..300u64 {
            let f = (i % 8) as usize;
            let g = (i / 8 % 6) as usize;
            b.add(
                10_000 + i,
                &id(
                    &format!("{} {}", fam[f], giv[g]),
                    &format!("{} {}", fam_k[f], giv_k[g]),
                    &format!("19{:02}-{:02}-{:02}", 40 + i % 50, 1 + i % 12, 1 + i % 28),
                    if i % 2 == 0 { "M" } else { "F" },
                    &format!("大阪府堺市堺区{}-{}-{}", 1 + i % 5, 1 + i % 9, 1 + i % 20),
                ),
                &format!("x{i}"),
                false,
            );
        }
        for (n, who, hh) in people {
            b.add(*n, who, hh, false);
        }
        Register::build(b, false).expect("no duplicates").0
    }

    fn assess(reg: &Register, snap: &Identity, linked: u64) -> LinkAssessment {
        reg.assess(&Snapshot::of(snap), linked, LinkContext::default())
    }

    #[test]
    fn identical_and_harmlessly_different_snapshots_are_consistent() {
        let reg = register(&[(111, taro(), "h1")]);
        let a = assess(&reg, &taro(), 111);
        assert_eq!(a.verdict, Verdict3::Consistent, "{a:?}");
        assert!(a.score < 0.001);
        for noisy in [
            id(
                "山田 太郎",
                "ﾔﾏﾀﾞ ﾀﾛｳ",
                "1980/5/1",
                "男",
                "千代田区霞が関２－１－２",
            ),
            id(
                "山田太郎",
                "ヤマダ タロー",
                "1980-05-01",
                "M",
                "千代田区霞が関2-1-2",
            ),
            id(
                "山田 大郎",
                "ヤマダ タロ",
                "1980-05-07",
                "M",
                "千代田区霞が関2-1-3",
            ),
            id(
                "山田 太郎",
                "ヤマダタロウ",
                "1980-01-05",
                "M",
                "千代田区霞ケ関2-1-2",
            ),
        ] {
            let a = assess(&reg, &noisy, 111);
            assert_eq!(a.verdict, Verdict3::Consistent, "{noisy:?} {a:?}");
        }
    }

    #[test]
    fn another_persons_birth_date_and_sex_is_wrong() {
        let reg = register(&[(111, taro(), "h1")]);
        let hanako = id(
            "鈴木　花子",
            "スズキ ハナコ",
            "1990-02-03",
            "F",
            "大阪市北区1-1-1",
        );
        assert_eq!(assess(&reg, &hanako, 111).verdict, Verdict3::WrongPerson);
    }

    #[test]
    fn a_move_alone_is_not_wrong() {
        let reg = register(&[(111, taro(), "h1")]);
        let mut moved = taro();
        moved.address = Some("福岡県福岡市博多区3-2-1".into());
        let a = assess(&reg, &moved, 111);
        assert_ne!(a.verdict, Verdict3::WrongPerson, "{a:?}");
    }

    /// The hardest 2023 pattern: same kanji, kana, birth date and sex, another person's address.
    #[test]
    fn same_kana_other_person_is_wrong_with_the_owner_suggested() {
        let owner = id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "大阪府大阪市北区梅田1丁目2番3号",
        );
        let reg = register(&[(111, taro(), "h1"), (222, owner.clone(), "h2")]);
        let a = assess(&reg, &owner, 111);
        assert_eq!(a.verdict, Verdict3::WrongPerson, "{a:?}");
        assert!(a.reasons.contains(&reason::BETTER_MATCH_ELSEWHERE));
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(222));
        // The owner's record with typos still finds the owner.
        let typo = id(
            "山田 太朗",
            "ヤマダ タロー",
            "1980-05-01",
            "M",
            "大阪市北区梅田1-2-3",
        );
        let a = assess(&reg, &typo, 111);
        assert_eq!(a.verdict, Verdict3::WrongPerson, "{a:?}");
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(222));
    }

    /// The record holds nothing that tells the linked person from a namesake (no address):
    /// it is not judged wrong, but it is not left as consistent either.
    #[test]
    fn a_namesake_who_fits_equally_needs_review() {
        let namesake = id(
            "山田　太郎",
            "ヤマダ タロウ",
            "1980-05-01",
            "M",
            "札幌市中央区1-1-1",
        );
        let reg = register(&[(111, taro(), "h1"), (222, namesake, "h2")]);
        let mut no_address = taro();
        no_address.address = None;
        let a = assess(&reg, &no_address, 111);
        assert_eq!(a.verdict, Verdict3::NeedsReview, "{a:?}");
        assert!(a.reasons.contains(&reason::ANOTHER_PERSON_FITS_EQUALLY));
        assert_eq!(a.suggestion, None);
        // With the address, the record is clearly the linked person's.
        assert_eq!(assess(&reg, &taro(), 111).verdict, Verdict3::Consistent);
    }

    #[test]
    fn equally_good_rivals_name_no_owner() {
        let elsewhere = |addr: &str| id("山田 太郎", "ヤマダ タロウ", "1980-05-01", "M", addr);
        let reg = register(&[
            (111, taro(), "h1"),
            (222, elsewhere("札幌市中央区1-1-1"), "h2"),
            (333, elsewhere("札幌市中央区1-1-1"), "h3"),
        ]);
        // Both namesakes explain the record far better than the linked person: the link is
        // someone else's, but the engine cannot say whose.
        let a = assess(&reg, &elsewhere("札幌市中央区1-1-1"), 111);
        assert_eq!(a.suggestion, None, "{a:?}");
        assert!(a.reasons.contains(&reason::AMBIGUOUS_RIVALS), "{a:?}");
        assert!(a.evidence.rival.as_ref().is_some_and(|r| !r.unique));
    }

    #[test]
    fn a_family_members_record_is_flagged_with_the_member() {
        let hanako = id(
            "山田　花子",
            "ヤマダ ハナコ",
            "1982-03-03",
            "F",
            "東京都千代田区霞が関2-1-2",
        );
        let reg = register(&[(111, taro(), "h1"), (333, hanako.clone(), "h1")]);
        let a = assess(&reg, &hanako, 111);
        assert_eq!(a.verdict, Verdict3::WrongPerson, "{a:?}");
        assert!(a.reasons.contains(&reason::HOUSEHOLD_MEMBER_MATCHES));
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(333));
    }

    #[test]
    fn public_fund_accounts_follow_the_holder_name() {
        let hanako = id(
            "山田　花子",
            "ヤマダ ハナコ",
            "1982-03-03",
            "F",
            "東京都千代田区霞が関2-1-2",
        );
        let ichiro = id(
            "伊藤 一郎",
            "イトウ イチロウ",
            "1955-07-07",
            "M",
            "堺市堺区1-1-1",
        );
        let reg = register(&[
            (111, taro(), "h1"),
            (333, hanako, "h1"),
            (444, ichiro, "h4"),
        ]);
        let account = |kana: &str| Snapshot::of(&id("", kana, "", "", ""));
        let ctx = LinkContext {
            category: Some(Category::PublicFundAccount),
        };
        // His own account, with a long vowel.
        let a = reg.assess(&account("ﾔﾏﾀﾞ ﾀﾛｰ"), 111, ctx);
        assert_eq!(a.verdict, Verdict3::Consistent, "{a:?}");
        assert!(a.reasons.contains(&reason::FEW_ATTRIBUTES));
        assert!(a.score >= register::FEW_ATTRIBUTES_P);
        // An account in his wife's name: its own finding, not another person's account.
        let a = reg.assess(&account("ヤマダ ハナコ"), 111, ctx);
        assert_eq!(a.verdict, Verdict3::NeedsReview, "{a:?}");
        assert!(a.reasons.contains(&reason::ACCOUNT_IN_FAMILY_NAME));
        assert_eq!(a.suggestion, None);
        // Someone else's account (the shared counter terminal).
        let a = reg.assess(&account("イトウ イチロウ"), 111, ctx);
        assert_eq!(a.verdict, Verdict3::WrongPerson, "{a:?}");
        assert!(a.reasons.contains(&reason::ACCOUNT_HOLDER_DIFFERS));
    }

    #[test]
    fn a_link_to_a_deceased_person_is_told_not_judged() {
        let mut b = RegisterBuilder::default();
        b.add(111, &taro(), "h1", true);
        let (reg, _) = Register::build(b, false).expect("no duplicates");
        // Their own record: still theirs (a pension, an insurance that should have ended).
        let a = assess(&reg, &taro(), 111);
        assert!(a.reasons.contains(&reason::LINKED_TO_DECEASED));
        assert_eq!(a.verdict, Verdict3::Consistent);
        // Someone else's record on a deceased person's number is judged on its evidence.
        let other = id(
            "鈴木　花子",
            "スズキ ハナコ",
            "1990-02-03",
            "F",
            "大阪市北区1-1-1",
        );
        let a = assess(&reg, &other, 111);
        assert!(a.reasons.contains(&reason::LINKED_TO_DECEASED));
        assert_eq!(a.verdict, Verdict3::WrongPerson);
    }

    #[test]
    fn a_number_missing_from_the_register_is_flagged() {
        let reg = register(&[(111, taro(), "h1")]);
        let a = assess(&reg, &taro(), 999);
        assert!(a.reasons.contains(&reason::NOT_IN_REGISTER));
        assert_eq!(a.verdict, Verdict3::WrongPerson);
        assert_eq!(a.suggestion.map(|s| s.my_number), Some(111));
    }

    #[test]
    fn duplicate_numbers_are_refused_unless_allowed() {
        let mut b = RegisterBuilder::default();
        b.add(111, &taro(), "h1", false);
        b.add(111, &taro(), "h1", false);
        assert_eq!(Register::build(b, false).err(), Some(DuplicateNumbers(1)));
        // Allowed: the first row of a number is kept, wherever the later ones stand.
        let mut b = RegisterBuilder::default();
        b.add(333, &taro(), "h3", false);
        b.add(111, &taro(), "h1", false);
        b.add(222, &taro(), "h2", false);
        b.add(111, &taro(), "h9", true);
        b.add(111, &taro(), "h8", false);
        let (reg, dups) = Register::build(b, true).expect("allowed");
        assert_eq!((reg.len(), dups), (3, 2));
        let first = register(&[(111, taro(), "h1")]);
        assert_eq!(reg.get(111), first.get(111));
        assert!(reg.get(222).is_some() && reg.get(333).is_some());
        assert!(reg.get(444).is_none());
    }

    #[test]
    fn the_evidence_adds_up_to_the_score() {
        let reg = register(&[(111, taro(), "h1")]);
        let mut s = taro();
        s.birth_date = Some("1981-06-01".into());
        let a = assess(&reg, &s, 111);
        let e = &a.evidence;
        let sum: f64 = e.prior_bits + e.contributions.iter().map(|c| c.bits).sum::<f64>();
        assert!((sum - e.own_bits).abs() < 1e-9);
        assert_eq!(e.contributions.len(), 5);
        let birth = e
            .contributions
            .iter()
            .find(|c| c.attribute == "birth_date")
            .expect("birth date compared");
        assert_eq!(birth.level, "differs");
        assert!(birth.bits < 0.0);
        assert!((a.score - e.p_wrong).abs() < 1e-12);
    }

    #[test]
    fn training_on_links_moves_the_weights() {
        let mut reg = register(&[(111, taro(), "h1")]);
        let mut links = Patterns::default();
        let mut noisy = taro();
        noisy.name_kana = Some("ヤマダ タコウ".into());
        for i in 0..200 {
            let s = if i % 3 == 0 { &noisy } else { &taro() };
            let g = reg.linked_gamma(&Snapshot::of(s), 111).expect("linked");
            links.add(g);
        }
        let before = reg.model().clone();
        reg.train(&links, 20_000);
        assert_ne!(&before, reg.model());
        assert!(reg.model().m[1][3] > before.m[1][3]);
        assert_eq!(reg.model().trained_links, 200);
        // 302 people are too few to estimate u from: it keeps the prior's.
        assert_eq!(reg.model().u_pairs, 0);
        assert_eq!(reg.model().u, Model::prior().u);
    }

    #[test]
    fn the_register_search_finds_the_person_despite_typos() {
        let reg = register(&[(111, taro(), "h1")]);
        let found = reg.search(
            &Snapshot::of(&id("", "ヤマダ タロー", "1980-05-07", "M", "")),
            0.0,
            5,
        );
        assert_eq!(found.first().map(|f| f.0), Some(111), "{found:?}");
    }
}
