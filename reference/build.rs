//! `sqlx::migrate!` embeds the migration files at compile time; this makes a new or edited
//! migration rebuild the crate.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations/sqlite");
    println!("cargo:rerun-if-changed=migrations/postgres");
}
