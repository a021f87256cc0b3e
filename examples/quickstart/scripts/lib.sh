# Shared by the quickstart scripts: where the pretend environments keep their state.
STATE="${COCKPIT_SESSION_DIR:-${TMPDIR:-/tmp}/cockpit-quickstart}/environments"
mkdir -p "$STATE"
