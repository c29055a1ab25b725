namespace mailsim::sim { struct HostState; void start_dovecot(HostState&) {} }
