//! One file per page.

pub mod access_log;
pub mod activate;
pub mod help;
pub mod helpdesk;
pub mod home;
pub mod inbox;
pub mod my_report;
pub mod my_reports;
pub mod mydata;
pub mod not_found;
pub mod report_form;
pub mod security;
pub mod signin;
pub mod staff_case;
pub mod staff_finding;
pub mod staff_findings;
pub mod staff_inspection;
pub mod staff_login;
pub mod staff_queue;
pub mod staff_search;
pub mod staff_security;
