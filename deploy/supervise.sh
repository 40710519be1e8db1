#!/bin/sh
# Run a command, and start it again whenever it exits, until this script is stopped (SIGTERM or SIGINT, which
# it passes on to the command, then waits for it). `make run` runs the task worker under it, so a worker
# that dies (killed, out of memory, a bug) comes back by itself; production uses systemd
# (deploy/systemd/cms-worker.service, Restart=always), which does the same.
#
#   deploy/supervise.sh [--delay SECONDS] COMMAND [ARG...]
delay=1
if [ "$1" = "--delay" ]; then
    delay=$2
    shift 2
fi
child=
pause=
stop() {
    [ -n "$pause" ] && kill "$pause" 2>/dev/null
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    exit 0
}
trap stop INT TERM
while :; do
    "$@" &
    child=$!
    wait "$child"
    status=$?
    child=
    echo "supervise.sh: '$*' exited with status $status; starting it again in $delay s" >&2
    sleep "$delay" &
    pause=$!
    wait "$pause"
    pause=
done
