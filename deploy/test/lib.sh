# Shared by the compose end-to-end tests (sourced, not run).

# Polls "$@" (a command) every 0.5 s for up to $1 seconds.
await() {
    local timeout="$1" deadline
    shift
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}
