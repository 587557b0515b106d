use platform::{DbError, Failure, FieldError};

/// What can go wrong in identity, in the glossary's words.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("the login or password is wrong")]
    WrongCredentials,
    #[error("this user is disabled")]
    UserDisabled,
    #[error("too many failed sign-ins; retry in {retry_after_seconds} s")]
    TooManyAttempts { retry_after_seconds: i64 },
    #[error("the session has ended")]
    SessionEnded,
    #[error("a dealer with this code already exists")]
    DealerCodeTaken,
    #[error("a dealer with this GLN already exists")]
    DealerGlnTaken,
    #[error("a region with this code already exists")]
    RegionCodeTaken,
    #[error("a dealer group with this code already exists")]
    DealerGroupCodeTaken,
    #[error("this login is already used")]
    LoginTaken,
    #[error("a delivery location with this code already exists for the dealer")]
    LocationCodeTaken,
    #[error("a tenant with this code already exists")]
    TenantCodeTaken,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("the dealer cannot go from {from} to {to}")]
    DealerStatusChange { from: &'static str, to: &'static str },
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Failure(#[from] Failure),
}

impl From<DbError> for IdentityError {
    fn from(error: DbError) -> Self {
        IdentityError::Failure(Failure::Database(error))
    }
}

impl From<IdentityError> for Failure {
    fn from(error: IdentityError) -> Self {
        let field = |name: &str, code| Failure::Invalid(vec![FieldError::new(name, code)]);
        match error {
            IdentityError::WrongCredentials | IdentityError::UserDisabled | IdentityError::SessionEnded => {
                Failure::Unauthenticated
            }
            IdentityError::TooManyAttempts { retry_after_seconds } => Failure::Throttled { retry_after_seconds },
            IdentityError::DealerCodeTaken => field("code", "dealer.code_taken"),
            IdentityError::DealerGlnTaken => field("gln", "dealer.gln_taken"),
            IdentityError::RegionCodeTaken => field("code", "region.code_taken"),
            IdentityError::DealerGroupCodeTaken => field("code", "dealer_group.code_taken"),
            IdentityError::LoginTaken => field("login", "user.login_taken"),
            IdentityError::LocationCodeTaken => field("code", "location.code_taken"),
            IdentityError::TenantCodeTaken => field("code", "tenant.code_taken"),
            IdentityError::WrongCurrentPassword => field("current_password", "user.wrong_current_password"),
            IdentityError::DealerStatusChange { .. } => {
                Failure::Invalid(vec![FieldError::new("status", "dealer.status_change")])
            }
            IdentityError::Hashing(message) => Failure::Internal(message),
            IdentityError::Failure(failure) => failure,
        }
    }
}
