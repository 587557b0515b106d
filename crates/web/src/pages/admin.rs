use axum::response::Response;
use crate::error::WebError;
use crate::session::PageUser;
pub async fn settings_page(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn save_settings(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn upload_logo(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn tokens_page(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn create_token(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn revoke_token(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn audit_page(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn jobs_page(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
pub async fn logo(_user: PageUser) -> Result<Response, WebError> { Err(platform::Failure::NotFound { entity: "page" }.into()) }
