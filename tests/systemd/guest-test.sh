#!/bin/bash
# Runs inside the test VM (Debian 12, systemd as PID 1) as root, from scripts/test-systemd's
# payload: installs the hekaton package with apt, runs the Pococha example end to end as a
# host and as participants through the installed units, then checks reload, socket
# activation, the watchdog, a kill -9 with a running job, hostile submissions, a long stage,
# stop, remove and purge. Every check writes PASS or FAIL to $HKVM_OUT/results.txt; the exit
# status is the number of failures (0: all passed).
set -uo pipefail
payload=${HKVM_PAYLOAD:?}
out=${HKVM_OUT:?}
results=$out/results.txt
: > "$results"
sock=/run/hekaton/hekatond.sock
failures=0
started=$SECONDS

pass() { echo "PASS $1${2:+ ($2)}" | tee -a "$results"; }
fail() { echo "FAIL $1${2:+ ($2)}" | tee -a "$results"; failures=$((failures + 1)); }
note() { echo "NOTE $*" | tee -a "$results"; }
# check NAME CMD...: PASS when CMD succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# wait_for DESCRIPTION SECONDS CMD...: polls every second until CMD succeeds; fails at the deadline.
wait_for() {
    local what=$1 limit=$2; shift 2
    local end=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= end)); then echo "timed out after ${limit}s waiting for $what" >&2; return 1; fi
        sleep 1
    done
}
# as USER CMD...: runs CMD as USER with a login's groups and a plain environment.
as() { local user=$1; shift; runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="/home/$user" USER="$user" LANG=C.UTF-8 "$@"; }
api() { curl -s --max-time 20 --unix-socket "$sock" "http://hekatond$1"; }
# field URL PYTHON-EXPRESSION: evaluates the expression on the JSON answer, bound to d.
field() { api "$1" | python3 -c 'import sys, json; d = json.load(sys.stdin); v = eval(sys.argv[1]); print("" if v is None else v)' "$2" 2>/dev/null; }
main_pid() { systemctl show -p MainPID --value hekatond.service; }
active() { [ "$(systemctl is-active "$1")" = active ]; }
inactive() { ! active "$1"; }
submission_state() { field "/v1/submissions/$1" 'd["state"]'; }
ended() { case "$(submission_state "$1")" in scored|failed|cancelled) return 0 ;; *) return 1 ;; esac; }
job_of() { field "/v1/submissions/$1" "d['jobs'].get('$2')"; }
job_running() { local job; job=$(job_of "$1" "$2") && [ -n "$job" ] && [ "$(field "/v1/jobs/$job" 'd["state"]')" = running ]; }
journal_since() { journalctl -u hekatond.service --since "@$1" --no-pager -o cat; }
journal_has() { journal_since "$1" | grep -q -- "$2"; }
submit() { # USER COMPETITION DIRECTORY TAG: prints the submission's id
    as "$1" hekatonctl submit --competition "$2" --tag "$4" --json "$3" | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])'
}

echo "== install"
t=$SECONDS
if apt-get install -y --no-install-recommends "$payload"/hekaton_*.deb > "$out/apt-install.log" 2>&1; then
    pass "apt installs the package offline" "$((SECONDS - t)) s"
else
    fail "apt installs the package offline" "see apt-install.log"; tail -20 "$out/apt-install.log"
    echo "$failures" > "$out/failures"; exit 1
fi
check "hekatond.socket is enabled and listening" active hekatond.socket
check "hekatond.service is enabled" systemctl -q is-enabled hekatond.service
check "the install starts only the socket (the service waits for its first call)" inactive hekatond.service
check "systemd-sysusers made the groups hekaton and hekaton-admin" getent group hekaton hekaton-admin
check "/etc/hekaton/hekatond.yaml is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' hekaton | grep -q /etc/hekaton/hekatond.yaml"
check "ExecStart passes the configuration file" sh -c "systemctl show -p ExecStart hekatond.service | grep -q -- '--config /etc/hekaton/hekatond.yaml'"
documented() {
    local doc
    for doc in $(systemctl show -p Documentation --value hekatond.service); do
        if [[ $doc == file://* ]]; then
            [ -s "${doc#file://}" ] || { echo "missing: $doc"; return 1; }
        elif [[ $doc =~ ^man:([^\(]+)\(([0-9])\)$ ]]; then
            [ -e "/usr/share/man/man${BASH_REMATCH[2]}/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.gz" ] || { echo "missing: $doc"; return 1; }
        fi
    done
}
check "every Documentation= of the unit is installed" documented
check "tmpfiles made /srv/hekaton for hosts' data" sh -c '[ "$(stat -c %G /srv/hekaton)" = hekaton-admin ]'
check "shell completion installed" test -s /usr/share/bash-completion/completions/hekatonctl

echo "== test settings: offline wheels for environment builds, a shorter watchdog, two job slots"
mkdir -p /srv/hekaton/wheels /etc/systemd/system/hekatond.service.d
cp "$payload"/wheels/*.whl /srv/hekaton/wheels/
cat > /etc/systemd/system/hekatond.service.d/test.conf <<'EOF'
[Service]
Environment=PIP_NO_INDEX=1 PIP_FIND_LINKS=/srv/hekaton/wheels
WatchdogSec=20s
EOF
echo "max_concurrent_jobs: 2" >> /etc/hekaton/hekatond.yaml
systemctl daemon-reload

for user in alice bob carol dave erin; do useradd -m -G hekaton "$user"; done
# A host in hekaton-admin only: the socket's ACL lets them in without joining hekaton.
useradd -m -G hekaton-admin hank

echo "== host: data and competitions"
cp -r "$payload/pococha" /srv/hekaton/pococha-source
chown -R hank:hekaton-admin /srv/hekaton/pococha-source
as hank python3 /srv/hekaton/pococha-source/generate.py --day 2026-11-28 --out /srv/hekaton/pococha/2026-11-28 \
    --listeners 400 --livers 80 > /dev/null
as hank cp -r /srv/hekaton/pococha/2026-11-28 /home/hank/data
t=$SECONDS
hidden=$(as hank hekatonctl dataset register pococha-daily /home/hank/data 2>&1)
rc=$?
check "socket activation: the first hekatonctl call started the service" active hekatond.service
if [ $rc != 0 ] && grep -q "ProtectHome=yes" <<<"$hidden"; then
    pass "a path under /home is refused naming ProtectHome=yes"
else
    fail "a path under /home is refused naming ProtectHome=yes" "exit $rc: $hidden"
fi
check "a host in hekaton-admin (not hekaton) reaches the socket and registers data" \
    as hank hekatonctl dataset register pococha-daily --tag 2026-11-28 /srv/hekaton/pococha/2026-11-28
# The same data from under /home, sent over the socket: the daemon's view no longer matters.
uploaded=$(as hank hekatonctl dataset register pococha-daily --upload /home/hank/data 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q "^unchanged" <<<"$uploaded"; then
    pass "the same data under /home, sent with --upload, is the same version"
else
    fail "the same data under /home, sent with --upload, is the same version" "exit $rc: $uploaded"
fi
# These two run on virtual environments (the VM has no registry and no PyPI); the image
# section below publishes the competition as written, with its images.
without_images() { # MANIFEST: drops images: and artifact.oci:
    awk '/^images:/ { skip = 1; next } skip && /^[^ #]/ { skip = 0 }
         /^  oci:/ { oci = 1; next } oci && !/^    / { oci = 0 }
         !skip && !oci' "$1" > "$1.new" && mv "$1.new" "$1"
}
cp -r /srv/hekaton/pococha-source/competition /srv/hekaton/pococha-competition
without_images /srv/hekaton/pococha-competition/hekaton.yaml
tight=/srv/hekaton/pococha-tight
cp -r /srv/hekaton/pococha-source/competition "$tight"
without_images "$tight/hekaton.yaml"
sed -i -e 's/^name: pococha$/name: pococha-tight/' \
    -e 's/default: {wall_time: 10m, memory: 2GiB, processes: 64, cpus: 1}/default: {wall_time: 40s, memory: 256MiB, processes: 32, cpus: 1}/' \
    -e 's/train: {wall_time: 20m}/train: {wall_time: 40s}/' -e '/^schedules:/,/^  artifact:/d' "$tight/hekaton.yaml"
chown -R hank:hekaton-admin /srv/hekaton/pococha-competition "$tight"
check "the host publishes the Pococha competition" as hank hekatonctl competition publish /srv/hekaton/pococha-competition
check "the host publishes a copy with tight limits" as hank hekatonctl competition publish "$tight"
# The competition as written, on environment images: its base imported as a host does
# (skopeo copy from a registry; here the layout scripts/base-image made on the host).
images=/srv/hekaton/pococha-images
if [ -d "$payload/base/hk-python" ]; then
cp -r /srv/hekaton/pococha-source/competition "$images"
sed -i -e 's/^name: pococha$/name: pococha-images/' -e '/^schedules:/,/^  artifact:/d' "$images/hekaton.yaml"
chown -R hank:hekaton-admin "$images"
mkdir -p /var/lib/hekaton/bases && cp -r "$payload/base/hk-python" /var/lib/hekaton/bases/hk-python
check "the host publishes the competition on images, its base imported" as hank hekatonctl competition publish "$images"
fi

echo "== participants: three Pococha submissions and one whose training takes two minutes"
declare -A ids
for pair in alice:mf bob:itemknn carol:popularity; do
    user=${pair%%:*}; name=${pair#*:}
    cp -r "$payload/pococha/submissions/$name" "/home/$user/$name"; chown -R "$user:$user" "/home/$user/$name"
    ids[$name]=$(submit "$user" pococha "/home/$user/$name" "$name")
done
slow_submission() { # DIRECTORY SECONDS
    mkdir -p "$1"
    cat > "$1/submission.py" <<EOF
import time
import hekaton

class Trainer(hekaton.Trainer):
    def train(self, dataset):
        time.sleep($2)
        (self.model_dir / "model.txt").write_text("slept $2 s")

class Predictor(hekaton.Predictor):
    def predict(self, batch):
        return [[] for _ in batch]
EOF
    : > "$1/requirements.txt"
    chown -R dave:dave "$1"
}
slow_submission /home/dave/slow 125
ids[slow]=$(submit dave pococha /home/dave/slow two-minutes)
note "submissions: mf ${ids[mf]}, itemknn ${ids[itemknn]}, popularity ${ids[popularity]}, two-minutes ${ids[slow]}"

if [ -d "$payload/base/hk-python" ]; then
echo "== participants on images: a requirements.txt on the base, and a Dockerfile (the VM has no PyPI: neither installs)"
cp -r "$payload/pococha/submissions/popularity" /home/carol/popularity-image; chown -R carol:carol /home/carol/popularity-image
ids[image]=$(submit carol pococha-images /home/carol/popularity-image popularity-image)
cp -r "$payload/pococha/submissions/popularity" /home/erin/dockerfile
cat > /home/erin/dockerfile/Dockerfile <<'EOF'
FROM hk-python
# What the build's RUN steps are on the host: root in the build is hekaton-build's subordinate uid.
RUN cat /proc/self/uid_map > /opt/build-uid-map && ls /proc | grep -c '^[0-9]' > /opt/build-processes
EOF
chown -R erin:erin /home/erin/dockerfile
ids[dockerfile]=$(submit erin pococha-images /home/erin/dockerfile dockerfile)
note "image submissions: requirements ${ids[image]}, Dockerfile ${ids[dockerfile]}"
fi

echo "== limits inside the delegated subtree"
service_cgroup=/sys/fs/cgroup/system.slice/hekatond.service
if wait_for "a stage's control group under $service_cgroup/stages" 900 sh -c "ls -d $service_cgroup/stages/job-*"; then
    pass "stage groups are made under <service>/stages" "$(ls -d $service_cgroup/stages/job-* | head -3 | tr '\n' ' ')"
    group=$(ls -d $service_cgroup/stages/job-* | head -1)
    check "a stage group has its memory and process limits" sh -c "grep -qx '[0-9]*' $group/memory.max && grep -qx '[0-9]*' $group/pids.max"
else
    fail "stage groups are made under <service>/stages" "$(journal_since 0 | grep -i 'control group' | tail -3)"
fi
check "the daemon moved itself into <service>/daemon" grep -qx "0::/system.slice/hekatond.service/daemon" "/proc/$(main_pid)/cgroup"
check "the service passes memory and pids to its stages" sh -c "grep -q memory $service_cgroup/cgroup.subtree_control && grep -q pids $service_cgroup/cgroup.subtree_control"
check "nothing is made at the top of the hierarchy" test ! -e /sys/fs/cgroup/hekaton

echo "== reload, while jobs run"
pid=$(main_pid)
t=$(date +%s)
sed -i 's/^max_concurrent_jobs: 2$/max_concurrent_jobs: 2\nlog_level: debug/' /etc/hekaton/hekatond.yaml
systemctl reload hekatond.service
check "reload re-reads /etc/hekaton/hekatond.yaml on the same PID" sh -c "[ $(main_pid) = $pid ] && journalctl -u hekatond --since @$t -o cat | grep -q 'configuration reloaded'"
t=$(date +%s)
cp /etc/hekaton/hekatond.yaml /root/hekatond.yaml.good
echo "metirc: 1" >> /etc/hekaton/hekatond.yaml
systemctl reload hekatond.service
if wait_for "the bad configuration to be refused" 30 journal_has "$t" "reload failed" && [ "$(main_pid)" = "$pid" ] && active hekatond.service; then
    pass "a bad configuration is kept out on reload; the daemon runs on"
else
    fail "a bad configuration is kept out on reload; the daemon runs on"
fi
cp /root/hekatond.yaml.good /etc/hekaton/hekatond.yaml
systemctl reload hekatond.service

echo "== the Pococha submissions are scored"
t=$SECONDS
for name in mf itemknn popularity slow; do
    if [ -z "${ids[$name]}" ]; then fail "submission $name scored" "it was refused"; continue; fi
    if wait_for "submission ${ids[$name]} ($name) to end" 1500 ended "${ids[$name]}"; then :; fi
    state=$(submission_state "${ids[$name]}")
    if [ "$state" = scored ]; then
        pass "submission $name scored" "score $(field "/v1/submissions/${ids[$name]}" 'd["score"]')"
    else
        fail "submission $name scored" "$state: $(field "/v1/submissions/${ids[$name]}" '(d.get("error") or "") + " " + (d.get("logTail") or "")[-600:]')"
    fi
done
note "pococha end to end: $((SECONDS - t)) s after the submissions"
train=$(job_of "${ids[slow]}" train)
wall=$(field "/v1/jobs/$train" 'int(d.get("wallSeconds") or 0)')
check "a stage that runs for two minutes is not killed early" sh -c "[ '$(submission_state "${ids[slow]}")' = scored ] && [ ${wall:-0} -ge 120 ]"
note "two-minute stage: train job $train ran ${wall:-?} s, attempt $(field "/v1/jobs/$train" 'd["attempt"]')"
board=$(as alice hekatonctl leaderboard pococha 2>&1)
echo "$board"
ranked() { field /v1/competitions/pococha/leaderboard '",".join(e["participant"] for e in d["entries"])'; }
sorted_scores() { field /v1/competitions/pococha/leaderboard '[e["score"] for e in d["entries"]] == sorted([e["score"] for e in d["entries"]], reverse=True)'; }
check "the leaderboard ranks alice, bob and carol" sh -c "r=\$(curl -s --unix-socket $sock http://hekatond/v1/competitions/pococha/leaderboard); for p in alice bob carol; do echo \"\$r\" | grep -q \"\\\"\$p\\\"\" || exit 1; done"
check "the leaderboard is in order of recall@10" sh -c "[ '$(sorted_scores)' = True ]"
note "leaderboard: $(ranked)"

if [ -d "$payload/base/hk-python" ]; then
echo "== environment images built under the unit"
for name in image dockerfile; do
    if [ -z "${ids[$name]}" ]; then fail "image submission $name scored" "it was refused"; continue; fi
    wait_for "image submission ${ids[$name]} ($name) to end" 1500 ended "${ids[$name]}"
    state=$(submission_state "${ids[$name]}")
    if [ "$state" = scored ]; then
        pass "image submission $name built, ran in its image and scored" "score $(field "/v1/submissions/${ids[$name]}" 'd["score"]')"
    else
        fail "image submission $name built, ran in its image and scored" "$state: $(field "/v1/submissions/${ids[$name]}" '(d.get("error") or "") + " " + (d.get("logTail") or "")[-600:]') build log: $(api "/v1/jobs/$(job_of "${ids[$name]}" build)/logs" | tail -c 1500 | tr '\n' ' ')"
    fi
done
check "builds ran in units of their own (hekaton-image-build-*.service)" sh -c "journalctl --no-pager -o cat -u 'hekaton-image-build-*' | grep -q 'Hekaton environment build'"
check "no build unit is left once the builds ended" sh -c "[ -z \"\$(systemctl list-units --all --no-legend 'hekaton-image-build-*')\" ]"
map=$(cat /var/lib/hekaton/images/rootfs/*/rootfs/opt/build-uid-map 2>/dev/null | head -1)
if [ -n "$map" ] && awk '$1 == 0 && $2 != 0 { ok = 1 } END { exit !ok }' <<<"$map"; then
    pass "the Dockerfile's RUN step ran as an unprivileged host uid" "uid_map: $map"
else
    fail "the Dockerfile's RUN step ran as an unprivileged host uid" "uid_map: ${map:-none}"
fi
procs=$(cat /var/lib/hekaton/images/rootfs/*/rootfs/opt/build-processes 2>/dev/null | head -1)
check "... in a PID namespace of its own (it saw ${procs:-?} processes)" sh -c "[ -n '$procs' ] && [ '$procs' -lt 10 ]"
note "environment images: $(ls /var/lib/hekaton/images/environments 2>/dev/null | wc -l) built; $(du -sh /var/lib/hekaton/images 2>/dev/null | cut -f1) on disk"
fi

echo "== hostile submissions under the installed unit"
hostile() { # NAME BODY
    mkdir -p "/home/erin/$1"
    printf 'import hekaton\n\nclass Trainer(hekaton.Trainer):\n    def train(self, dataset):\n%s\n        (self.model_dir / "model.txt").write_text("nothing")\n\nclass Predictor(hekaton.Predictor):\n    def predict(self, batch):\n        return [[] for _ in batch]\n' "$2" > "/home/erin/$1/submission.py"
    : > "/home/erin/$1/requirements.txt"
    chown -R erin:erin "/home/erin/$1"
    submit erin pococha-tight "/home/erin/$1" "$1"
}
memory=$(hostile memory '        blocks = [bytearray(64 << 20) for _ in range(64)]')
forkbomb=$(hostile forkbomb '        import os
        n = 0
        try:
            while True:
                if os.fork() == 0:
                    import time; time.sleep(60); os._exit(0)
                n += 1
        except OSError as e:
            raise RuntimeError(f"FORK STOPPED after {n}")')
cpu=$(hostile cpu '        import os
        for _ in range(3):
            if os.fork() == 0:
                break
        while True:
            pass')
if wait_for "the CPU spinner's training to run" 300 job_running "$cpu" train; then
    cpujob=$(job_of "$cpu" train)
    wait_for "its group" 30 test -e "$service_cgroup/stages/job-$cpujob/cpu.max"
    check "the CPU spinner's group caps it at one CPU (cpu.max)" grep -qx "100000 100000" "$service_cgroup/stages/job-$cpujob/cpu.max"
fi
for name in memory forkbomb cpu; do
    id=${!name}
    wait_for "hostile submission $id ($name) to end" 600 ended "$id"
    # The submission says which stage failed; its job says why (a time limit is the job's).
    detail="$(field "/v1/submissions/$id" 'd["state"] + ": " + (d.get("error") or "") + " " + (d.get("logTail") or "")[-300:]') job: $(field "/v1/jobs/$(job_of "$id" train)" 'd.get("error") or ""')"
    case $name in
        memory) evidence="memory|MemoryError" ;;
        forkbomb) evidence="FORK STOPPED" ;;
        cpu) evidence="time limit" ;;
    esac
    if [[ $detail == failed:* ]] && grep -Eq "$evidence" <<<"$detail"; then
        pass "hostile $name stopped at its limit" "$(head -c 160 <<<"$detail" | tr '\n' ' ')"
    else
        fail "hostile $name stopped at its limit" "$detail"
    fi
done
check "no stage group is left once the hostile stages ended" wait_for "their groups to go" 60 sh -c "! ls -d $service_cgroup/stages/job-* 2>/dev/null | grep -q ."

echo "== kill -9 with a running job"
slow_submission /home/dave/rescued 40
rescued=$(submit dave pococha /home/dave/rescued rescued)
if wait_for "submission $rescued's training to run" 300 job_running "$rescued" train; then
    sleep 3 # inside its sleep, well before it ends
    pid=$(main_pid); t=$(date +%s)
    kill -9 "$pid"
    if wait_for "systemd to restart hekatond" 120 sh -c "[ \"\$(systemctl show -p MainPID --value hekatond)\" != $pid ] && [ \"\$(systemctl show -p MainPID --value hekatond)\" != 0 ] && systemctl -q is-active hekatond"; then
        pass "after kill -9 systemd restarts the daemon"
    else
        fail "after kill -9 systemd restarts the daemon"
    fi
    wait_for "the rescued submission to end" 600 ended "$rescued"
    check "the job running at the kill -9 is rescued and its submission scored" sh -c "[ '$(submission_state "$rescued")' = scored ] && journalctl -u hekatond --since @$t -o cat | grep -q 'rescued'"
else
    fail "kill -9 with a running job" "its training never ran"
fi

echo "== socket activation after a stop"
systemctl stop hekatond.service
check "stopping the service leaves the socket listening" sh -c "systemctl -q is-active hekatond.socket && ! systemctl -q is-active hekatond.service && test -S $sock"
check "a participant's call starts the service again" as alice hekatonctl status
check "... and the service runs" active hekatond.service

echo "== socket and service ordering"
systemctl stop hekatond.socket
check "stopping the socket stops the service too (no daemon left unreachable)" wait_for "the service to stop with its socket" 60 inactive hekatond.service
systemctl start hekatond.service
check "starting the service starts its socket first" sh -c "systemctl -q is-active hekatond.socket && systemctl -q is-active hekatond.service"
check "... and the socket unit can be started again" systemctl start hekatond.socket
check "... and the daemon answers" as alice hekatonctl status

echo "== watchdog"
pid=$(main_pid); t=$(date +%s)
kill -STOP "$pid"
if wait_for "the watchdog to restart a stopped daemon" 120 sh -c "p=\$(systemctl show -p MainPID --value hekatond); [ \"\$p\" != $pid ] && [ \"\$p\" != 0 ] && systemctl -q is-active hekatond"; then
    pass "a SIGSTOPped daemon is killed by the watchdog and restarted"
else
    fail "a SIGSTOPped daemon is killed by the watchdog and restarted"
fi
check "the journal says it was the watchdog" sh -c "journalctl -u hekatond --since @$t -o cat | grep -qi watchdog"
check "no 'Failed to set thread priority' noise (CAP_SYS_NICE is in the bounding set)" sh -c "! journalctl -u hekatond -o cat | grep -q 'Failed to set thread priority'"
check "structured journal fields" sh -c "journalctl -u hekatond -o verbose --since @$t | grep -q '^ *HEKATON_'"

echo "== exposure"
systemd-analyze security hekatond.service --no-pager > "$out/security.txt" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for hekatond.service: \([0-9.]*\).*/\1/p' "$out/security.txt")
note "systemd-analyze security hekatond.service: ${exposure:-?}"
check "exposure at most 4.5" python3 -c "import sys; sys.exit(0 if float('${exposure:-99}') <= 4.5 else 1)"

echo "== stop, remove, purge"
systemctl stop hekatond.service
check "a clean stop" sh -c "[ \"\$(systemctl show -p Result --value hekatond)\" = success ]"
journalctl -u hekatond.service --no-pager -o short-monotonic > "$out/hekatond-journal.txt" 2>&1
apt-get remove -y hekaton > "$out/apt-remove.log" 2>&1
check "remove leaves the state and configuration" sh -c "test -e /var/lib/hekaton/hekaton.sqlite3 && test -e /etc/hekaton/hekatond.yaml && ! test -e /usr/bin/hekatond"
check "remove stops the socket" inactive hekatond.socket
apt-get purge -y hekaton > "$out/apt-purge.log" 2>&1
check "purge removes /var/lib/hekaton and /etc/hekaton" sh -c "! test -e /var/lib/hekaton && ! test -e /etc/hekaton && ! dpkg -s hekaton >/dev/null 2>&1"

echo "== the README's install block, for systems without dpkg"
t=$(date +%s)
if (cd "$payload/manual/tree" && set -e && . "$payload/manual/install.sh") > "$out/manual-install.log" 2>&1; then
    pass "the manual install block runs as written"
else
    fail "the manual install block runs as written" "$(tail -3 "$out/manual-install.log" | tr '\n' ' ')"
fi
check "... and its socket listens" active hekatond.socket
check "... and a participant reaches the daemon it starts" as alice hekatonctl status
check "... which finds its SDK" sh -c "journal=\$(journalctl -u hekatond -o cat --since @$t); echo \"\$journal\" | grep -q ready && ! echo \"\$journal\" | grep -q 'no Python SDK'"
systemctl stop hekatond.service hekatond.socket

note "guest checks took $((SECONDS - started)) s"
echo "$failures" > "$out/failures"
exit $((failures > 0))
