//! Linked items as a resident sees them: category-specific details, which fields are
//! identifiers (masked until the resident asks), and the view types that cross the wire.

use super::category::{Category, LinkMethod};
use super::matching::MatchRow;
use serde::{Deserialize, Serialize};

/// Category-specific details of a linked item, as stored by the source institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemDetails {
    ResidentRecord {
        resident_code: String,
        address: String,
        household_head: String,
        relationship: String,
        /// Change history, one entry a line: `YYYY-MM-DD event`.
        history: String,
    },
    Tax {
        person_key: String,
        tax_year: i32,
        total_income: i64,
        deductions: i64,
        resident_tax: i64,
    },
    HealthInsurance {
        insurer_number: String,
        symbol: String,
        number: String,
        branch: String,
        insured_kind: String,
        coverage_start: String,
        coverage_end: Option<String>,
    },
    Pension {
        basic_pension_number: String,
        scheme: String,
        enrolment: String,
        benefit_status: String,
    },
    Disability {
        certificate_number: String,
        certificate_type: String,
        grade: String,
        issued_on: String,
        renewal_on: Option<String>,
    },
    PublicFundAccount {
        bank_code: String,
        bank_name: String,
        branch_code: String,
        branch_name: String,
        account_type: String,
        account_number: String,
        holder_kana: String,
    },
}

/// How a field's value is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldValue {
    /// Shown as is.
    Text(String),
    /// An i18n key for a coded value (e.g. `insured_kind.dependant`).
    Code(String),
    /// An amount in yen.
    Yen(i64),
    /// An identifier; `value` is already masked unless the resident asked to reveal it.
    Identifier { value: String, revealed: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label_key: String,
    pub value: FieldValue,
}

/// Masks all but the last `keep` characters of an identifier with `*`.
pub fn mask(s: &str, keep: usize) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i + keep < n && !matches!(c, '-' | ' ') {
                '*'
            } else {
                c
            }
        })
        .collect()
}

impl ItemDetails {
    pub fn category(&self) -> Category {
        match self {
            ItemDetails::ResidentRecord { .. } => Category::ResidentRecord,
            ItemDetails::Tax { .. } => Category::Tax,
            ItemDetails::HealthInsurance { .. } => Category::HealthInsurance,
            ItemDetails::Pension { .. } => Category::Pension,
            ItemDetails::Disability { .. } => Category::Disability,
            ItemDetails::PublicFundAccount { .. } => Category::PublicFundAccount,
        }
    }

    /// The fields to show, with identifiers masked unless `reveal` is set.
    pub fn fields(&self, reveal: bool) -> Vec<Field> {
        let text = |k: &str, v: &str| Field {
            label_key: k.into(),
            value: FieldValue::Text(v.into()),
        };
        let code = |k: &str, prefix: &str, v: &str| Field {
            label_key: k.into(),
            value: FieldValue::Code(format!("{prefix}.{v}")),
        };
        let yen = |k: &str, v: i64| Field {
            label_key: k.into(),
            value: FieldValue::Yen(v),
        };
        let ident = |k: &str, v: &str, keep: usize| Field {
            label_key: k.into(),
            value: FieldValue::Identifier {
                value: if reveal { v.into() } else { mask(v, keep) },
                revealed: reveal,
            },
        };
        match self {
            ItemDetails::ResidentRecord {
                resident_code,
                address,
                household_head,
                relationship,
                history,
            } => vec![
                ident("field.resident_code", resident_code, 3),
                text("field.address", address),
                text("field.household_head", household_head),
                code("field.relationship", "relationship", relationship),
                text("field.history", history),
            ],
            ItemDetails::Tax {
                person_key,
                tax_year,
                total_income,
                deductions,
                resident_tax,
            } => vec![
                ident("field.person_key", person_key, 3),
                text("field.tax_year", &tax_year.to_string()),
                yen("field.total_income", *total_income),
                yen("field.deductions", *deductions),
                yen("field.resident_tax", *resident_tax),
            ],
            ItemDetails::HealthInsurance {
                insurer_number,
                symbol,
                number,
                branch,
                insured_kind,
                coverage_start,
                coverage_end,
            } => vec![
                text("field.insurer_number", insurer_number),
                ident("field.symbol", symbol, 0),
                ident("field.number", number, 2),
                text("field.branch", branch),
                code("field.insured_kind", "insured_kind", insured_kind),
                text("field.coverage_start", coverage_start),
                match coverage_end {
                    Some(end) => text("field.coverage_end", end),
                    None => code("field.coverage_end", "value", "ongoing"),
                },
            ],
            ItemDetails::Pension {
                basic_pension_number,
                scheme,
                enrolment,
                benefit_status,
            } => vec![
                ident("field.basic_pension_number", basic_pension_number, 4),
                code("field.scheme", "scheme", scheme),
                text("field.enrolment", enrolment),
                code("field.benefit_status", "benefit_status", benefit_status),
            ],
            ItemDetails::Disability {
                certificate_number,
                certificate_type,
                grade,
                issued_on,
                renewal_on,
            } => vec![
                ident("field.certificate_number", certificate_number, 3),
                code(
                    "field.certificate_type",
                    "certificate_type",
                    certificate_type,
                ),
                text("field.grade", grade),
                text("field.issued_on", issued_on),
                match renewal_on {
                    Some(d) => text("field.renewal_on", d),
                    None => code("field.renewal_on", "value", "none"),
                },
            ],
            ItemDetails::PublicFundAccount {
                bank_code,
                bank_name,
                branch_code,
                branch_name,
                account_type,
                account_number,
                holder_kana,
            } => vec![
                text("field.bank", &format!("{bank_name} ({bank_code})")),
                text(
                    "field.branch_name",
                    &format!("{branch_name} ({branch_code})"),
                ),
                code("field.account_type", "account_type", account_type),
                ident("field.account_number", account_number, 3),
                text("field.holder_kana", holder_kana),
            ],
        }
    }

    /// Whether this item has any identifier that is masked by default.
    pub fn has_identifier(&self) -> bool {
        self.fields(false)
            .iter()
            .any(|f| matches!(f.value, FieldValue::Identifier { .. }))
    }
}

/// One linked item as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: i64,
    pub category: Category,
    pub institution_id: i64,
    /// Named in an open mismatch report: restricted (not to be passed on) until it is decided.
    pub under_review: bool,
    pub institution_name_ja: String,
    pub institution_name_en: String,
    pub link_method: LinkMethod,
    /// Unix seconds.
    pub linked_at: i64,
    pub updated_at: i64,
    pub fields: Vec<Field>,
    pub revealed: bool,
    pub has_identifier: bool,
    pub match_card: Vec<MatchRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryView {
    pub category: Category,
    pub items: Vec<ItemView>,
}

/// Everything the "my data" page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDataView {
    pub name_kanji: String,
    pub my_number_masked: String,
    pub categories: Vec<CategoryView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> ItemDetails {
        ItemDetails::PublicFundAccount {
            bank_code: "0005".into(),
            bank_name: "三菱UFJ銀行".into(),
            branch_code: "001".into(),
            branch_name: "本店".into(),
            account_type: "ordinary".into(),
            account_number: "1234567".into(),
            holder_kana: "ヤマダ タロウ".into(),
        }
    }

    #[test]
    fn identifiers_are_masked_until_revealed() {
        let f = account().fields(false);
        let acc = f
            .iter()
            .find(|f| f.label_key == "field.account_number")
            .unwrap();
        assert_eq!(
            acc.value,
            FieldValue::Identifier {
                value: "****567".into(),
                revealed: false
            }
        );
        let f = account().fields(true);
        let acc = f
            .iter()
            .find(|f| f.label_key == "field.account_number")
            .unwrap();
        assert_eq!(
            acc.value,
            FieldValue::Identifier {
                value: "1234567".into(),
                revealed: true
            }
        );
    }

    #[test]
    fn mask_keeps_separators_and_tail() {
        assert_eq!(mask("1234-567890", 4), "****-**7890");
        assert_eq!(mask("12", 3), "12");
        assert_eq!(mask("ABC", 0), "***");
    }

    #[test]
    fn every_category_has_fields_and_an_identifier_where_expected() {
        assert!(account().has_identifier());
        assert_eq!(account().category(), Category::PublicFundAccount);
    }
}
