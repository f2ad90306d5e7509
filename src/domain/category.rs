//! The six categories of linked items and the ways an item gets linked.

use serde::{Deserialize, Serialize};

/// One of the six categories a resident sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    ResidentRecord,
    Tax,
    HealthInsurance,
    Pension,
    Disability,
    PublicFundAccount,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::ResidentRecord,
        Category::Tax,
        Category::HealthInsurance,
        Category::Pension,
        Category::Disability,
        Category::PublicFundAccount,
    ];

    /// The code stored in the database and used in anchors and CSV files.
    pub fn code(self) -> &'static str {
        match self {
            Category::ResidentRecord => "resident",
            Category::Tax => "tax",
            Category::HealthInsurance => "health_insurance",
            Category::Pension => "pension",
            Category::Disability => "disability",
            Category::PublicFundAccount => "public_fund_account",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The i18n key of the category's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Category::ResidentRecord => "category.resident",
            Category::Tax => "category.tax",
            Category::HealthInsurance => "category.health_insurance",
            Category::Pension => "category.pension",
            Category::Disability => "category.disability",
            Category::PublicFundAccount => "category.public_fund_account",
        }
    }
}

/// How an institution linked an item to a My Number. The weak methods caused the 2023 errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkMethod {
    NumberOnApplication,
    RegistryQuery4,
    RegistryQuery3,
    BatchMatch,
    Manual,
}

impl LinkMethod {
    pub const ALL: [LinkMethod; 5] = [
        LinkMethod::NumberOnApplication,
        LinkMethod::RegistryQuery4,
        LinkMethod::RegistryQuery3,
        LinkMethod::BatchMatch,
        LinkMethod::Manual,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LinkMethod::NumberOnApplication => "number_on_application",
            LinkMethod::RegistryQuery4 => "registry_query_4",
            LinkMethod::RegistryQuery3 => "registry_query_3",
            LinkMethod::BatchMatch => "batch_match",
            LinkMethod::Manual => "manual",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Methods that did not confirm the person on the four basic items.
    pub fn is_weak(self) -> bool {
        matches!(
            self,
            LinkMethod::RegistryQuery3 | LinkMethod::BatchMatch | LinkMethod::Manual
        )
    }

    /// The i18n key of a plain-words explanation of the method.
    pub fn explanation_key(self) -> &'static str {
        match self {
            LinkMethod::NumberOnApplication => "method.number_on_application",
            LinkMethod::RegistryQuery4 => "method.registry_query_4",
            LinkMethod::RegistryQuery3 => "method.registry_query_3",
            LinkMethod::BatchMatch => "method.batch_match",
            LinkMethod::Manual => "method.manual",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        for m in LinkMethod::ALL {
            assert_eq!(LinkMethod::from_code(m.code()), Some(m));
        }
        assert_eq!(Category::from_code("nope"), None);
    }

    #[test]
    fn weak_methods_are_the_ones_that_skipped_four_items() {
        assert!(!LinkMethod::NumberOnApplication.is_weak());
        assert!(!LinkMethod::RegistryQuery4.is_weak());
        assert!(LinkMethod::RegistryQuery3.is_weak());
        assert!(LinkMethod::BatchMatch.is_weak());
    }
}
