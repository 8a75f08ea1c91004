//! Who this process runs as, as people name it: the login name of its effective user
//! (from the password database, so it holds under `sudo -u`, in containers and over
//! `ssh` where `$USER` may be unset), else `$USER` or `$LOGNAME`, else the uid.

/// The login name of this process's user; never empty.
pub fn login_name() -> String {
    let uid = nix::unistd::geteuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| uid.to_string())
}

/// This machine's name, else `localhost`.
pub fn host_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_login_name_is_the_password_databases_for_this_uid() {
        let uid = nix::unistd::geteuid();
        let expected = nix::unistd::User::from_uid(uid)
            .unwrap()
            .map_or_else(|| uid.to_string(), |u| u.name);
        assert_eq!(super::login_name(), expected);
        assert!(!super::host_name().is_empty());
    }
}
