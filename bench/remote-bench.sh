#!/usr/bin/env bash
# Benchmarks MusicFS's remote origins (issue "S3 and SFTP origins") against the usual FUSE peers,
# all on this machine over 127.0.0.1:
#  - S3: S3Proxy (filesystem backend) serving a bucket; mounted by MusicFS, `rclone mount`
#    (--vfs-cache-mode full) and s3fs;
#  - SFTP: OpenSSH sshd (internal-sftp, its own config and keys) serving a folder; mounted by
#    MusicFS, `rclone mount` (--vfs-cache-mode full) and sshfs.
# The library is the testkit corpus (TRACKS bulk tracks + hard cases + one 64 MB FLAC), with
# symbolic links resolved (what a local origin would show), uploaded with `rclone copy` and served
# as the same folder over SFTP. Measured:
#  1. cold sequential read MB/s (MiB/s) of a 64 MB track (dd bs=1M): through each mount with an
#     empty cache (MusicFS: no chunks; rclone: a fresh VFS cache folder; every mount restarted) and
#     the page cache dropped; references: the source file directly, and the origin streamed
#     without a mount (`rclone cat`);
#  2. open + first 64 KiB of SAMPLES random tracks never read before (after the scan / a listing
#     of the mount, page cache dropped): p50 and p99 latency per mount;
#  Both are measured twice per mount, on different tracks, all of them uncached: "started" right after
#  the mount came up, and "running" after that first pass and a media server's first look at the
#  library (the first 64 KiB of every other track read once, as Jellyfin or Plex do when they find a
#  new folder). A peer written in C or Go serves the same both times; MusicFS is a JVM, whose first
#  minute runs partly interpreted while the JIT compiler takes CPU, so "running" is what a daemon
#  serves for the rest of its life. The goal is judged on "running"; "started" is reported next to it.
#  3. bytes MusicFS reads for tags during the scan of a fresh library (its "KiB read for tags"),
#     per track and as a % of the library's bytes (target < 5%), cross-checked with what the
#     server sent (/proc/PID/io of S3Proxy and of the sshd session processes);
#  4. MusicFS's scan time of the library (its "sync finished ... in N ms").
# Every figure is the median over REPEAT runs (default 5; scans: SCAN_REPEAT, default REPEAT). Each
# repetition runs every mount once, interleaved, so a busy moment of the machine hits all alike, and
# starts with the next mount in turn.
# The 1-minute load average is sampled every 5 s and reported. "Page cache dropped" means the data only (bench/evict.py). Needs root (page cache, sshd);
# installs the peers (rclone, sshfs, s3fs, openssh-server, fuse3, libfuse2) with apt-get if missing.
# Usage: bench/remote-bench.sh [TRACKS] [WORKDIR]    (TRACKS default 2000; REPEAT, SCAN_REPEAT (0: no scans), SAMPLES;
#        KINDS: the mounts to measure, default "musicfs-s3 rclone-s3 s3fs musicfs-sftp rclone-sftp sshfs")
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tracks="${1:-2000}"
work="${2:-$(mktemp -d /tmp/musicfs-remote-bench.XXXX)}"
repeat="${REPEAT:-5}"
scan_repeat="${SCAN_REPEAT:-$repeat}"
samples="${SAMPLES:-200}"
jar="$root/musicfs.run/target/musicfs.jar"
testkit="$root/musicfs.testkit/target/classes"
bucket=bench
sftp_id=nas
kinds=(${KINDS:-musicfs-s3 rclone-s3 s3fs musicfs-sftp rclone-sftp sshfs})

say() { echo "$*"; }
die() { echo "remote-bench: error: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (it drops the page cache and runs sshd)"
mkdir -p "$work"/{logs,res,mnt,tools}
work="$(cd "$work" && pwd)"
music="$work/music"; stage="$work/stage"; truth="$work/truth.tsv"; res="$work/res"; logs="$work/logs"
rm -rf "$res" "$logs" "$work/loadavg.txt"; mkdir -p "$res" "$logs" # results of an earlier run in the same folder
started=$SECONDS
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- prerequisites
missing=()
command -v rclone >/dev/null || missing+=(rclone)
command -v sshfs >/dev/null || missing+=(sshfs)
command -v s3fs >/dev/null || missing+=(s3fs)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v fusermount >/dev/null || missing+=(fuse3)
ldconfig -p 2>/dev/null | grep -q 'libfuse\.so\.2' || missing+=(libfuse2)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  say "== installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || die "could not install ${missing[*]}"
fi
if [ ! -f "$jar" ] || [ ! -f "$testkit/io/musicfs/testkit/corpus/CorpusMain.class" ]; then
  say "== building the runtime (mvn -DskipTests install)"
  (cd "$root" && mvn -q -B -DskipTests install)
fi
s3proxy_jar="$root/musicfs.origin.s3/target/s3proxy/s3proxy.jar"
if [ ! -f "$s3proxy_jar" ]; then
  s3proxy_jar="$work/tools/s3proxy-2.6.0-jar-with-dependencies.jar"
  [ -f "$s3proxy_jar" ] || (cd "$root" && mvn -q -B dependency:copy \
    -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -DoutputDirectory="$work/tools")
fi

# ---------------------------------------------------------------- helpers (python: timing, sampling, /proc)
py="$work/tools/bench.py"
cat > "$py" <<'EOF'
import hashlib, os, random, socket, sys, time

def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()

def truth_rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                yield line.rstrip("\n").split("\t")

def sample(truth, n, seed, out, exclude=None):
    taken = {l.split("\t")[0] for l in open(exclude, encoding="utf-8")} if exclude else set()
    bulk = [r for r in truth_rows(truth) if r[0] == "present" and r[1] == "bulk" and r[2] not in taken]
    pick = random.Random(int(seed)).sample(bulk, min(int(n), len(bulk)))
    with open(out, "w", encoding="utf-8") as f:
        for r in pick:
            f.write("\t".join([r[2], r[3], r[4], r[5]]) + "\n")

def pct(values, p):  # nearest rank
    v = sorted(values); k = max(0, min(len(v) - 1, -(-len(v) * p // 100) - 1)); return v[int(k)]

def lat(mnt, col, sample_file, out):
    """open + read the first 64 KiB of each sampled track; checks the bytes against the truth."""
    rows = [l.rstrip("\n").split("\t") for l in open(sample_file, encoding="utf-8")]
    ms, bad, errors = [], 0, 0
    for r in rows:
        path = os.path.join(mnt, r[int(col)]); size, sha = int(r[2]), r[3]
        t0 = time.perf_counter()
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                chunks, got = [], 0
                while got < 65536:
                    b = os.read(fd, 65536 - got)
                    if not b:
                        break
                    chunks.append(b); got += len(b)
            finally:
                os.close(fd)
        except OSError as e:
            errors += 1; print("error: %s: %s" % (path, e), file=sys.stderr); continue
        ms.append((time.perf_counter() - t0) * 1000)
        data = b"".join(chunks)
        if (size <= 65536 and hashlib.sha256(data).hexdigest() != sha) or len(data) != min(size, 65536):
            bad += 1
    with open(out, "w") as f:
        f.write("\n".join("%.3f" % m for m in ms) + "\n")
    print("%.2f %.2f %d %d" % (pct(ms, 50), pct(ms, 99), bad, errors) if ms else "nan nan 0 %d" % errors)

def heads(mnt, col, truth, *samples):
    """a media server's first look: the first 64 KiB of every present track not in the samples"""
    taken = {l.split("\t")[0] for f in samples for l in open(f, encoding="utf-8")}
    failed = 0
    for r in truth_rows(truth):
        if r[0] != "present" or r[1] == "large" or r[2] in taken:
            continue
        try:
            with open(os.path.join(mnt, r[2 + int(col)]), "rb") as f:
                f.read(65536)
        except OSError as e:
            failed += 1
    if failed > 50:  # the corpus's broken files are few; many failures mean the mount is broken
        raise SystemExit("library pass: %d tracks could not be read" % failed)

def tree(pid, port):
    """pid wchar of a process and its descendants that hold a TCP socket of the server's port: the
    ones talking to the network (not sshd's internal-sftp child, whose data its parent sends again)"""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == int(port):
                inodes.add(f[9])
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(p))
            except (OSError, IndexError):
                pass
    todo = [int(pid)]
    while todo:
        p = todo.pop(); todo += kids.get(p, [])
        try:
            socks = set()
            for fd in os.listdir("/proc/%d/fd" % p):
                try:
                    link = os.readlink("/proc/%d/fd/%s" % (p, fd))
                except OSError:
                    continue
                if link.startswith("socket:["):
                    socks.add(link[8:-1])
            io = dict(l.split(": ") for l in open("/proc/%d/io" % p).read().splitlines())
            print(p, io["wchar"], 1 if socks & inodes else 0)
        except OSError:
            pass

def library(truth):
    """all present bytes, bytes without the large tracks, count, and the sum of min(size, 64 KiB)"""
    rows = [r for r in truth_rows(truth) if r[0] == "present"]
    total = sum(int(r[4]) for r in rows)
    small = sum(int(r[4]) for r in rows if r[1] != "large")
    head = sum(min(int(r[4]), 65536) for r in rows)
    print(total, small, len(rows), head)

globals()[sys.argv[1]](*sys.argv[2:])
EOF
pyh() { python3 "$py" "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The data cold (library, server files, caches; the tracks measured were never read through the mount), the daemons' code warm (bench/evict.py)
drop_caches() { python3 "$root/bench/evict.py" "$stage" "$music" "$work/s3proxy/data" "$work"/cache-* "$work/rclone-cache"; }
now() { date +%s.%N; }
read_mbps() { # MB/s (MiB/s) of reading a file once with dd, 1 MiB blocks
  local s e; s=$(now); dd if="$1" of=/dev/null bs=1M status=none; e=$(now)
  awk -v b="$(stat -c %s "$1")" -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", b/1048576/(e-s)}'; }
rcl() { env -u AWS_CA_BUNDLE rclone "$@"; } # an AWS_CA_BUNDLE in the environment breaks rclone's S3 client

pids=(); mounts=()
stop_pid() { # politely, then forcibly after 30 s
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
unmount() { if mountpoint -q "$1" 2>/dev/null; then fusermount -u -z "$1" 2>/dev/null || umount -l "$1" 2>/dev/null || true; fi; }
cleanup() {
  set +e
  [ -n "${mpid:-}" ] && stop_pid "$mpid"
  for m in "${mounts[@]}"; do unmount "$m"; done
  for p in "${pids[@]}"; do
    for c in $(pyh tree "$p" 0 2>/dev/null | awk -v r="$p" '$1 != r {print $1}'); do kill -TERM "$c" 2>/dev/null; done
    stop_pid "$p"
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

( while :; do echo "$(date +%s) $(cut -d' ' -f1 /proc/loadavg)" >> "$work/loadavg.txt"; sleep 5; done ) &
pids+=($!)

# ---------------------------------------------------------------- corpus
if [ ! -f "$truth" ]; then
  say "== generating $tracks tracks (+ hard cases, 1 x 64 MB) in $music"
  rm -rf "$music" "$stage"
  java -cp "$testkit" io.musicfs.testkit.corpus.CorpusMain --tracks "$tracks" --out "$music" --truth "$truth" \
    --large-mb 64 --large-count 2
fi
if [ ! -d "$stage" ]; then
  # The served library: every file the local origin would see, links resolved (loops and broken
  # links dropped), as plain files, so S3 and SFTP hold the same bytes and no peer loops on a link.
  (cd "$music" && { find -L . -type f -printf '%P\0' 2>/dev/null || true; } | sort -z > "$work/files.lst")
  mkdir -p "$stage.tmp"
  (cd "$music" && tar --null --no-recursion -T "$work/files.lst" -chf - ) | tar -C "$stage.tmp" -xf -
  mv "$stage.tmp" "$stage"
fi
# two 64 MB tracks: one read by the "started" pass, the other by the "running" pass
mapfile -t bigs < <(awk -F'\t' '$1=="present" && $2=="large" {print $3}' "$truth")
mapfile -t bigvs < <(awk -F'\t' '$1=="present" && $2=="large" {print $4}' "$truth")
mapfile -t bigshas < <(awk -F'\t' '$1=="present" && $2=="large" {print $6}' "$truth")
[ ${#bigs[@]} -ge 2 ] || die "the corpus in $work has fewer than two 64 MB tracks: remove $truth to generate it again"
big="${bigs[0]}"
read -r lib_bytes lib_small lib_count lib_head < <(pyh library "$truth")
stage_files=$(find "$stage" -type f | wc -l)
pyh sample "$truth" "$samples" 42 "$work/sample-started.tsv"
pyh sample "$truth" "$samples" 43 "$work/sample-running.tsv" "$work/sample-started.tsv"
say "library: $lib_count tracks ($stage_files files served), $((lib_bytes / 1048576)) MiB; 64 MB track: $big"

# ---------------------------------------------------------------- servers
s3port=$(pyh port)
s3id="bench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
s3secret="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/s3proxy/data"
cat > "$work/s3proxy/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3id
s3proxy.credential=$s3secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3proxy/data
EOF
java -Xmx512m -DLOG_LEVEL=warn -jar "$s3proxy_jar" --properties "$work/s3proxy/s3proxy.properties" \
  > "$logs/s3proxy.log" 2>&1 &
s3pid=$!; pids+=($s3pid)
for i in $(seq 600); do
  curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break
  kill -0 $s3pid 2>/dev/null || die "S3Proxy exited: $(tail -5 "$logs/s3proxy.log")"
  sleep 0.1
done
s3url="http://127.0.0.1:$s3port"
echo "$s3id:$s3secret" > "$work/s3fs.passwd"; chmod 600 "$work/s3fs.passwd"

ssh="$work/ssh"; mkdir -p "$ssh" /run/sshd
rm -f "$ssh"/host_key* "$ssh"/user_key*
ssh-keygen -q -t ed25519 -N '' -C musicfs-bench -f "$ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -C musicfs-bench -f "$ssh/user_key"
cp "$ssh/user_key.pub" "$ssh/authorized_keys"
sshport=$(pyh port)
cat > "$ssh/sshd_config" <<EOF
Port $sshport
ListenAddress 127.0.0.1
HostKey $ssh/host_key
AuthorizedKeysFile $ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PidFile $ssh/sshd.pid
Subsystem sftp internal-sftp
MaxStartups 100
MaxSessions 100
LogLevel INFO
EOF
echo "[127.0.0.1]:$sshport $(cut -d' ' -f1,2 "$ssh/host_key.pub")" > "$ssh/known_hosts"
/usr/sbin/sshd -D -e -f "$ssh/sshd_config" > "$logs/sshd.log" 2>&1 &
sshpid=$!; pids+=($sshpid)
for i in $(seq 150); do
  grep -q "Server listening" "$logs/sshd.log" && break
  kill -0 $sshpid 2>/dev/null || die "sshd exited: $(cat "$logs/sshd.log")"
  sleep 0.1
done

export RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_S3B_TYPE=s3 RCLONE_CONFIG_S3B_PROVIDER=Other RCLONE_CONFIG_S3B_ENDPOINT="$s3url" \
  RCLONE_CONFIG_S3B_ACCESS_KEY_ID="$s3id" RCLONE_CONFIG_S3B_SECRET_ACCESS_KEY="$s3secret" \
  RCLONE_CONFIG_S3B_FORCE_PATH_STYLE=true RCLONE_CONFIG_S3B_REGION=us-east-1
export RCLONE_CONFIG_SFTPB_TYPE=sftp RCLONE_CONFIG_SFTPB_HOST=127.0.0.1 RCLONE_CONFIG_SFTPB_PORT="$sshport" \
  RCLONE_CONFIG_SFTPB_USER=root RCLONE_CONFIG_SFTPB_KEY_FILE="$ssh/user_key" \
  RCLONE_CONFIG_SFTPB_KNOWN_HOSTS_FILE="$ssh/known_hosts" RCLONE_CONFIG_SFTPB_SHELL_TYPE=none \
  RCLONE_CONFIG_SFTPB_DISABLE_HASHCHECK=true

say "== uploading the library to s3://$bucket at $s3url (rclone copy)"
s=$SECONDS
rcl copy --transfers 8 --retries 2 --log-file "$logs/upload.log" --log-level NOTICE "$stage" "s3b:$bucket" \
  || say "rclone copy reported errors (see $logs/upload.log)"
objects=$(rcl lsf -R --files-only "s3b:$bucket" | wc -l)
say "uploaded $objects of $stage_files files in $((SECONDS - s)) s"
if [ "$objects" -ne "$stage_files" ]; then
  say "not uploaded: $( (cd "$stage" && find . -type f -printf '%P\n' | sort) | comm -23 - <(rcl lsf -R --files-only "s3b:$bucket" | sort) | head -5 | tr '\n' ';')"
fi

# ---------------------------------------------------------------- mounts
mpid=""
musicfs_log=""
start_musicfs() { # origin-uri cache mnt log
  : > "$4"; musicfs_log="$4"
  AWS_ACCESS_KEY_ID="$s3id" AWS_SECRET_ACCESS_KEY="$s3secret" AWS_REGION=us-east-1 \
    "$root/musicfs" mount --origin "$1" --cache "$2" --poll-interval 3600 "$3" > "$4" 2>&1 &
  mpid=$!
}
wait_log() { # pattern timeout-s
  local deadline=$((SECONDS + $2))
  until grep -q "$1" "$musicfs_log"; do
    kill -0 "$mpid" 2>/dev/null || { echo "musicfs died:"; tail -20 "$musicfs_log"; return 1; }
    [ $SECONDS -lt $deadline ] || { echo "timeout waiting for '$1'"; tail -20 "$musicfs_log"; return 1; }
    sleep 0.05
  done
}
wait_mounted() { # mnt timeout-s log
  local deadline=$((SECONDS + $2))
  until mountpoint -q "$1"; do
    kill -0 "$mpid" 2>/dev/null || { echo "mount process died:"; tail -20 "$3"; return 1; }
    [ $SECONDS -lt $deadline ] || { echo "timeout mounting $1"; tail -20 "$3"; return 1; }
    sleep 0.05
  done
}
s3_uri="s3://$bucket/?endpoint=$s3url"
sftp_uri="sftp://root@127.0.0.1:$sshport$stage?key=$ssh/user_key&known-hosts=$ssh/known_hosts&id=$sftp_id"
origin_id() { case $1 in musicfs-s3) echo "$bucket";; musicfs-sftp) echo "$sftp_id";; esac; }

# Starts a mount of one kind cold (empty data cache); sets mpid, mnt, path column (0 source, 1 virtual)
start_kind() { # kind run
  local kind=$1 log="$logs/$1-$2.log"
  mnt="$work/mnt/$kind"; mkdir -p "$mnt"; mounts+=("$mnt"); unmount "$mnt"; col=0
  case $kind in
    musicfs-s3|musicfs-sftp)
      col=1
      local cache="$work/cache-${kind#musicfs-}"
      # Uncached as after eviction or `musicfs cache clear`: every chunk file gone, the manifests and the
      # chunk tree's folders kept (MusicFS never removes those; deleting them too would charge each
      # read a fresh folder or two that no cache in use ever has to make).
      find "$cache/chunks" -type f -delete 2>/dev/null || true
      if [ $kind = musicfs-s3 ]; then start_musicfs "$s3_uri" "$cache" "$mnt" "$log"
      else start_musicfs "$sftp_uri" "$cache" "$mnt" "$log"; fi
      wait_log "musicfs: serving" 120 && wait_log "origin $(origin_id $kind): sync finished" 300 ;;
    rclone-s3|rclone-sftp)
      rm -rf "$work/rclone-cache"
      local remote="s3b:$bucket"; [ $kind = rclone-sftp ] && remote="sftpb:$stage"
      rcl mount "$remote" "$mnt" --read-only --vfs-cache-mode full --cache-dir "$work/rclone-cache" \
        --log-file "$log" --log-level INFO &
      mpid=$!; wait_mounted "$mnt" 60 "$log" ;;
    s3fs)
      s3fs "$bucket" "$mnt" -f -o "url=$s3url,use_path_request_style,passwd_file=$work/s3fs.passwd,ro,endpoint=us-east-1" \
        > "$log" 2>&1 &
      mpid=$!; wait_mounted "$mnt" 60 "$log" ;;
    sshfs)
      sshfs -f -p "$sshport" -o "IdentityFile=$ssh/user_key,UserKnownHostsFile=$ssh/known_hosts,StrictHostKeyChecking=yes,BatchMode=yes,ro" \
        "root@127.0.0.1:$stage" "$mnt" > "$log" 2>&1 &
      mpid=$!; wait_mounted "$mnt" 60 "$log" ;;
  esac
}
stop_kind() { [ -n "$mpid" ] && stop_pid "$mpid"; mpid=""; unmount "$mnt"; }

# ---------------------------------------------------------------- 3 + 4: MusicFS scans
server_io() { # origin -> "pid wchar" lines of the server process tree
  if [ "$1" = s3 ]; then pyh tree "$s3pid" "$s3port"; else pyh tree "$sshpid" "$sshport"; fi; }
io_delta() { # before after -> bytes written by processes of after since before (new processes: all)
  awk 'NR==FNR {b[$1]=$2; next} $3 == 1 {d += $2 - ($1 in b ? b[$1] : 0)} END {printf "%d\n", d}' "$1" "$2"; }
for origin in s3 sftp; do
  kind=musicfs-$origin; id=$(origin_id $kind); cache="$work/cache-$origin"
  say "== MusicFS scan of the $origin origin, fresh cache (median of $scan_repeat)"
  for i in $(seq "$scan_repeat"); do
    rm -rf "$cache"; mnt="$work/mnt/$kind"; mkdir -p "$mnt"; mounts+=("$mnt"); unmount "$mnt"
    drop_caches
    server_io $origin > "$res/io-before"
    uri="$s3_uri"; [ $origin = sftp ] && uri="$sftp_uri"
    start_musicfs "$uri" "$cache" "$mnt" "$logs/scan-$origin-$i.log"
    if ! wait_log "origin $id: sync finished" 900; then stop_kind; continue; fi
    server_io $origin > "$res/io-after"
    line=$(grep "origin $id: sync finished" "$musicfs_log" | head -1)
    echo "$line" | sed 's/.*sync finished: //'
    echo "$line" | sed -E 's/.*: ([0-9]+) tracks listed.*/\1/' >> "$res/scan-$origin-listed"
    echo "$line" | sed -E 's/.* ([0-9]+) KiB read for tags.*/\1/' >> "$res/scan-$origin-kib"
    echo "$line" | sed -E 's/.*for tags, in ([0-9]+) ms.*/\1/' >> "$res/scan-$origin-ms"
    echo "$line" | sed -E 's/.* ([0-9]+) unreadable, ([0-9]+) failed.*/\1 \2/' >> "$res/scan-$origin-bad"
    echo $(( $(io_delta "$res/io-before" "$res/io-after") / 1024 )) >> "$res/scan-$origin-server-kib"
    stop_kind
  done
done

# ---------------------------------------------------------------- 1 + 2: reads
say "== references: the 64 MB track directly and streamed from the origins without a mount (median of $repeat)"
for i in $(seq "$repeat"); do
  drop_caches; read_mbps "$stage/$big" >> "$res/seq-direct"
  drop_caches; s=$(now); rcl cat "s3b:$bucket/$big" > /dev/null; e=$(now)
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", 64/(e-s)}' >> "$res/seq-stream-s3"
  drop_caches; s=$(now); rcl cat "sftpb:$stage/$big" > /dev/null; e=$(now)
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", 64/(e-s)}' >> "$res/seq-stream-sftp"
done
say "direct $(median < "$res/seq-direct") MB/s; rclone cat S3 $(median < "$res/seq-stream-s3") MB/s; rclone cat SFTP $(median < "$res/seq-stream-sftp") MB/s"

# The servers are JVMs (S3Proxy) or fork per session (sshd): before the rounds every small file is
# fetched once through each, so whichever mount goes first in a round does not pay for a cold server.
say "== warming the servers: every file under 1 MiB fetched once (rclone cat)"
rcl cat --max-size 1M "s3b:$bucket" > /dev/null || say "warm-up read of S3 reported errors"
rcl cat --max-size 1M "sftpb:$stage" > /dev/null || say "warm-up read of SFTP reported errors"

say "== mounts, cold: listing, open + 64 KiB of $samples tracks, 64 MB sequential read ($repeat rounds)"
for i in $(seq "$repeat"); do
  # each round starts with the next kind, so no mount always runs right after the same other one
  round=("${kinds[@]:$(( (i - 1) % ${#kinds[@]} ))}" "${kinds[@]:0:$(( (i - 1) % ${#kinds[@]} ))}")
  for kind in "${round[@]}"; do
    if ! start_kind "$kind" "$i"; then echo "$kind: could not mount (run $i)"; stop_kind; echo "$kind" >> "$res/failed"; continue; fi
    # the peers' analogue of the scan: list the mount (file metadata cached, no data read)
    s=$(now); n=$(find "$mnt" -type f | wc -l); e=$(now)
    echo "$n" > "$res/files-$kind"; awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f\n", e-s}' >> "$res/find-$kind"
    for pass in 0 1; do
      phase=started; [ $pass = 1 ] && phase=running
      if [ $pass = 1 ]; then
        pyh heads "$mnt" $col "$truth" "$work/sample-started.tsv" "$work/sample-running.tsv" 2>>"$logs/lat-errors.log" \
          || echo "$kind run $i: the library pass failed" | tee -a "$res/problems"
      fi
      drop_caches
      read -r p50 p99 bad errors < <(pyh lat "$mnt" $col "$work/sample-$phase.tsv" "$res/lat-$kind-$phase-$i.ms" \
        2>>"$logs/lat-errors.log" || echo "nan nan 0 1") || true
      echo "$p50" >> "$res/p50-$kind-$phase"; echo "$p99" >> "$res/p99-$kind-$phase"
      [ "$bad$errors" = 00 ] || echo "$kind run $i ($phase): $bad wrong reads, $errors errors" | tee -a "$res/problems"
      path="$mnt/${bigs[$pass]}"; [ $col = 1 ] && path="$mnt/${bigvs[$pass]}"
      drop_caches
      if mbps=$(read_mbps "$path"); then echo "$mbps" >> "$res/seq-$kind-$phase"
      else echo "$kind run $i ($phase): 64 MB read failed" | tee -a "$res/problems"; fi
      if [ "$i" = "$repeat" ]; then
        [ "$(sha256sum "$path" | cut -d' ' -f1)" = "${bigshas[$pass]}" ] || echo "$kind: the 64 MB track read WRONG" >> "$res/problems"
        echo ok > "$res/sha-$kind"
      fi
      printf '%-13s run %d %-7s: %5s files listed in %5ss; open+64KiB p50 %6s ms p99 %7s ms; 64 MB %6s MB/s\n' "$kind" "$i" \
        "$phase" "$n" "$(tail -1 "$res/find-$kind")" "$p50" "$p99" "$(tail -1 "$res/seq-$kind-$phase" 2>/dev/null)"
    done
    stop_kind
  done
done

# ---------------------------------------------------------------- summary
m() { [ -s "$res/$1" ] && median < "$res/$1" || echo n/a; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "n/a"}'; }
label() { case $1 in musicfs-s3) echo "MusicFS (S3)";; rclone-s3) echo "rclone mount (S3)";; s3fs) echo "s3fs (S3)";;
  musicfs-sftp) echo "MusicFS (SFTP)";; rclone-sftp) echo "rclone mount (SFTP)";; sshfs) echo "sshfs (SFTP)";; esac; }
load="$(awk '{print $2}' "$work/loadavg.txt" | sort -g | awk '{a[NR]=$1} END {printf "min %s, median %s, max %s (%d samples)", a[1], a[int((NR+1)/2)], a[NR], NR}')"
echo
echo "== summary: medians of $repeat runs (scans: $scan_repeat); $tracks bulk tracks + hard cases + ${#bigs[@]} x 64 MB tracks; $(nproc) cores"
echo "load average before the run: $load_before; 1-min load average during the run: $load"
printf '%-22s %-8s %14s %14s %14s %15s %6s\n' "" "" "cold 64MB MB/s" "open+64K p50" "open+64K p99" "listing (files)" "sha"
printf '%-22s %-8s %14s\n' "source file directly" "" "$(m seq-direct)"
row() { # kind phase
  printf '%-22s %-8s %14s %11s ms %11s ms %8s s %5s %6s\n' "$(label $1)" "$2" "$(m seq-$1-$2)" "$(m p50-$1-$2)" "$(m p99-$1-$2)" \
    "$(m find-$1)" "($(cat "$res/files-$1" 2>/dev/null || echo ?))" "$(cat "$res/sha-$1" 2>/dev/null || echo ?)"; }
printf '%-22s %-8s %14s\n' "S3 stream (rclone cat)" "" "$(m seq-stream-s3)"
for kind in musicfs-s3 rclone-s3 s3fs; do row $kind started; row $kind running; done
printf '%-22s %-8s %14s\n' "SFTP stream (rclone cat)" "" "$(m seq-stream-sftp)"
for kind in musicfs-sftp rclone-sftp sshfs; do row $kind started; row $kind running; done
for o in s3 sftp; do
  peer=rclone-$o; O=$(echo $o | tr a-z A-Z)
  for phase in running started; do
    echo "MusicFS / rclone mount, $O, $phase: throughput x$(ratio "$(m seq-musicfs-$o-$phase)" "$(m seq-$peer-$phase)") (higher is better)," \
      "p50 latency x$(ratio "$(m p50-musicfs-$o-$phase)" "$(m p50-$peer-$phase)"), p99 latency x$(ratio "$(m p99-musicfs-$o-$phase)" "$(m p99-$peer-$phase)") (lower is better)"
  done
done
echo
printf '%-16s %8s %10s %13s %10s %12s %12s %12s %10s\n' "MusicFS scan" "listed" "scan ms" "tracks/s" "tag KiB" "KiB/track" "% library" "% w/o 64MB" "server KiB"
for o in s3 sftp; do
  [ -s "$res/scan-$o-ms" ] || { echo "$o: no scan finished"; continue; }
  listed=$(m scan-$o-listed); ms=$(m scan-$o-ms); kib=$(m scan-$o-kib)
  awk -v o="$o" -v n="$listed" -v ms="$ms" -v kib="$kib" -v all="$lib_bytes" -v small="$lib_small" -v srv="$(m scan-$o-server-kib)" \
    -v nbig="${#bigs[@]}" 'BEGIN {printf "%-16s %8d %10d %13.0f %10d %12.1f %11.2f%% %11.2f%% %10s\n", o, n, ms, n/(ms/1000), kib,
      kib/n, 100*kib*1024/all, 100*(kib-64*nbig)*1024/small, srv}'
done
echo "(unreadable/failed per scan, s3: $(tr '\n' ';' < "$res/scan-s3-bad" 2>/dev/null) sftp: $(tr '\n' ';' < "$res/scan-sftp-bad" 2>/dev/null))"
awk -v all="$lib_bytes" -v small="$lib_small" -v head="$lib_head" -v n="$lib_count" 'BEGIN {
  printf "library: %d tracks, %.1f MiB (%.1f MiB without the 64 MB track, %.1f KiB per track); reading min(size, 64 KiB) of every track = %d KiB\n",
    n, all/1048576, small/1048576, small/1024/(n-1), head/1024}'
echo "server KiB: bytes S3Proxy / the sshd session processes wrote during the scan (listing, tags, protocol; /proc/PID/io wchar)"
echo "% w/o 64MB: tag bytes minus 64 KiB per 64 MB track (taken as its share), over the library's bytes without those tracks"
echo "(the target, < 5% of the library, is about real tracks of megabytes: the corpus's bulk tracks are smaller than the"
echo " 64 KiB every tag read starts with, so they are read whole; the 64 MB track shows what a real track costs)"
if [ -s "$res/problems" ] || [ -s "$res/failed" ]; then echo "problems:"; sort "$res/problems" "$res/failed" 2>/dev/null | uniq -c; fi
echo "MusicFS log lines at WARN or above (besides the corpus's deliberately broken files), over all runs:"
cat "$logs"/musicfs-*.log "$logs"/scan-*.log 2>/dev/null | grep -E '\[(WARN|ERROR)\]|Exception' \
  | grep -v 'cannot read the tags of Hard Cases/' | sed -E 's/^[0-9T:.Z-]+ //; s/[0-9]+ ms/N ms/g' | sort | uniq -c | sort -rn | head -15 || true
echo "packages: $(dpkg-query -W -f '${Package} ${Version}; ' rclone sshfs s3fs openssh-server fuse3 libfuse2 2>/dev/null)"
echo "versions: $(rclone version 2>/dev/null | head -1); $(sshfs --version 2>&1 | grep -i "^sshfs version"); $(s3fs --version 2>&1 | head -1 | cut -d'(' -f1);" \
  "S3Proxy 2.6.0 (filesystem backend); $(ssh -V 2>&1 | cut -d, -f1); $(java -version 2>&1 | head -1); kernel $(uname -r)"
echo "total time: $((SECONDS - started)) s; work folder: $work"
