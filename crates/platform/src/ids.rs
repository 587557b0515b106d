//! Typed ids, so that a dealer id can never be passed where a region id is expected.

/// Declares an `i64`-backed id type that travels as a plain number in JSON and SQL.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for $crate::db::Value {
            fn from(id: $name) -> Self {
                $crate::db::Value::Int(Some(id.0))
            }
        }

        impl From<Option<$name>> for $crate::db::Value {
            fn from(id: Option<$name>) -> Self {
                $crate::db::Value::Int(id.map(|id| id.0))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.trim().parse().map($name)
            }
        }
    };
}

define_id!(
    /// A manufacturer running the portal; every business row belongs to exactly one.
    TenantId
);
define_id!(UserId);
define_id!(RegionId);
define_id!(DealerId);
