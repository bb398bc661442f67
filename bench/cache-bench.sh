#!/usr/bin/env bash
# Times the chunk cache and read path of the real MusicFS mount (issue "The chunk cache and read path")
# next to the peers that install here, all over the same local library folder:
#  - mergerfs over the folder (a FUSE passthrough, no cache of its own),
#  - rclone mount --vfs-cache-mode full of the folder (a FUSE mount with a full-file disk cache).
# Measured, each as the median of REPEAT runs (default 3) unless it is a percentile:
#  1. warm sequential read of a 64 MB file (page cache warm), MB/s, next to the reference: the
#     source file read directly with its pages cached (what the page cache itself gives here);
#  2. first read of a 64 MB file: the source directly after dropping the page cache, MusicFS with
#     an empty chunk cache (daemon warmed up by reading another file first), rclone with an empty
#     VFS cache; MB/s and MusicFS as a share of the direct read and a multiple of rclone;
#  3. open + first 64 KiB of 200 random tracks that are cached (read once before, and MusicFS done
#     writing their chunks; page cache dropped), p50 and p99 in ms, each the median over REPEAT runs,
#     after one unmeasured pass over the heads of all cached tracks (every mount's code warm, as in a
#     daemon that has run a while; MusicFS's cached-read path is not the one the caching pass ran);
#  4. 64 KiB reads at 1000 random offsets of cached files (page cache dropped), p50 and p99 in ms,
#     each the median over REPEAT runs;
#  5. RSS of each daemon after those reads.
# "Page cache dropped" means the data only (bench/evict.py). Needs root (page cache, mounts).
# Installs mergerfs and rclone with apt-get when missing.
# The machine this runs on may be shared: quote medians and ratios from one run.
# Usage: bench/cache-bench.sh [TRACKS] [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tracks="${1:-200}"
work="${2:-$(mktemp -d /tmp/musicfs-cache-bench.XXXX)}"
repeat="${REPEAT:-3}"
jar="$root/musicfs.run/target/musicfs.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package -pl musicfs.run -am)
[ -d "$root/musicfs.testkit/target/classes" ] || (cd "$root" && mvn -q -B -DskipTests compile -pl musicfs.testkit -am)
for tool in mergerfs rclone; do
  command -v "$tool" >/dev/null || { echo "== installing $tool"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done
music="$work/music"; log="$work/daemon.log"
mkdir -p "$work/mnt-musicfs" "$work/mnt-mergerfs" "$work/mnt-rclone"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The data cold (library, caches, what the mounts hold of it), the daemons' code warm (bench/evict.py)
drop_caches() { python3 "$root/bench/evict.py" "$music" "$work/cache" "$work/rclone-cache" "$work/mnt-musicfs" "$work/mnt-rclone" \
  "$work/mnt-mergerfs"; }
# MiB/s of reading a file once with 1 MiB blocks, timed by dd itself: the copy, not the start of
# a process (which at page-cache speed would take as long as the 64 MB read)
read_mbps() {
  dd if="$1" of=/dev/null bs=1M 2>&1 | awk -v b="$(stat -c %s "$1")" '/copied/ {printf "%.1f\n", b/1048576/$(NF-3)}'; }
rss_of() { awk '/VmRSS/ {print $2 " " $3}' "/proc/$1/status"; }

start_musicfs() { # fresh cache or not
  [ "$1" = fresh ] && rm -rf "$work/cache"
  : > "$log"
  "$root/musicfs" mount --origin "$music" --cache "$work/cache" "$work/mnt-musicfs" >"$log" 2>&1 &
  mpid=$!
  local deadline=$((SECONDS + 600))
  until grep -q "musicfs: serving" "$log" && grep -q "origin music: sync finished" "$log"; do
    kill -0 "$mpid" 2>/dev/null || { echo "daemon died:"; cat "$log"; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "timeout starting musicfs"; cat "$log"; exit 1; }
    sleep 0.1
  done
}
cache_settled() { # waits (at most 120 s) until MusicFS's chunk count is the same 2 s apart
  local before=-1 now deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    now=$("$root/musicfs" cache stats --json --cache "$work/cache" | awk -F'[:,]' '/"chunks"/ {gsub(/ /, "", $2); print $2}')
    [ "$now" = "$before" ] && return 0
    before=$now; sleep 2
  done
  echo "warning: MusicFS was still writing chunks after 120 s"
}
stop_musicfs() { kill -TERM "$mpid"; wait "$mpid" || true; }
start_rclone() {
  [ "$1" = fresh ] && rm -rf "$work/rclone-cache"
  rclone mount "$music" "$work/mnt-rclone" --vfs-cache-mode full --cache-dir "$work/rclone-cache" \
    --read-only --log-file "$work/rclone.log" &
  rpid=$!
  until mountpoint -q "$work/mnt-rclone"; do sleep 0.1; done
}
stop_rclone() { fusermount -uz "$work/mnt-rclone" || true; wait "$rpid" || true; }
cleanup() {
  fusermount -uz "$work/mnt-musicfs" 2>/dev/null || true
  fusermount -uz "$work/mnt-rclone" 2>/dev/null || true
  fusermount -uz "$work/mnt-mergerfs" 2>/dev/null || true
}
trap cleanup EXIT

# Latencies of open + first 64 KiB of files, or of 64 KiB preads at random offsets: prints "p50 p99" in ms.
latencies() { # mode dir listfile seed (each run its own sample, so no daemon serves it from memory)
  python3 - "$@" <<'EOF'
import os, random, sys, time
mode, base, listfile = sys.argv[1], sys.argv[2], sys.argv[3]
files = [l.rstrip("\n") for l in open(listfile) if l.strip()]
random.seed(int(sys.argv[4]))
lat = []
if mode == "open":
    for f in random.sample(files, min(200, len(files))):
        t = time.perf_counter(); fd = os.open(os.path.join(base, f), os.O_RDONLY); os.read(fd, 65536); os.close(fd)
        lat.append(time.perf_counter() - t)
else:
    fds = [(os.open(os.path.join(base, f), os.O_RDONLY), os.path.getsize(os.path.join(base, f))) for f in files]
    for _ in range(1000):
        fd, size = random.choice(fds)
        off = random.randrange(0, max(1, size - 65536))
        t = time.perf_counter(); os.pread(fd, 65536, off); lat.append(time.perf_counter() - t)
    for fd, _ in fds: os.close(fd)
lat.sort()
print("%.3f %.3f" % (lat[len(lat) // 2] * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000))
EOF
}

if [ ! -f "$work/truth.tsv" ]; then
  echo "== generating $tracks tracks (+ 3 x 64 MB) in $music"
  java -cp "$root/musicfs.testkit/target/classes" io.musicfs.testkit.corpus.CorpusMain \
    --tracks "$tracks" --out "$music" --truth "$work/truth.tsv" --no-hard-cases --large-mb 64 --large-count 3
fi
mapfile -t large_src < <(awk -F'\t' '$1=="present" && $2=="large" {print $3}' "$work/truth.tsv")
mapfile -t large_virt < <(awk -F'\t' '$1=="present" && $2=="large" {print $4}' "$work/truth.tsv")
awk -F'\t' '$1=="present" && $2=="bulk" {print $3}' "$work/truth.tsv" > "$work/bulk-src.txt"
awk -F'\t' '$1=="present" && $2=="bulk" {print $4}' "$work/truth.tsv" > "$work/bulk-virt.txt"
rm -f "$work"/*.dat

echo "== first read of a 64 MB file (median of $repeat)"
for i in $(seq "$repeat"); do
  drop_caches; read_mbps "$music/${large_src[1]}" >> "$work/direct.dat"
  # MusicFS: empty chunk cache; the daemon reads another file first, so the JVM is warm (a player's
  # first read of a file happens in a running daemon, not right after start)
  start_musicfs fresh
  cat "$work/mnt-musicfs/${large_virt[0]}" > /dev/null
  drop_caches; read_mbps "$work/mnt-musicfs/${large_virt[1]}" >> "$work/musicfs-first.dat"
  stop_musicfs
  start_rclone fresh
  cat "$work/mnt-rclone/${large_src[0]}" > /dev/null
  drop_caches; read_mbps "$work/mnt-rclone/${large_src[1]}" >> "$work/rclone-first.dat"
  stop_rclone
done
direct=$(median < "$work/direct.dat"); mfirst=$(median < "$work/musicfs-first.dat"); rfirst=$(median < "$work/rclone-first.dat")
echo "source directly, page cache dropped: $direct MB/s (runs: $(tr '\n' ' ' < "$work/direct.dat"))"
echo "MusicFS first read: $mfirst MB/s (runs: $(tr '\n' ' ' < "$work/musicfs-first.dat"))"
echo "rclone full-cache first read: $rfirst MB/s (runs: $(tr '\n' ' ' < "$work/rclone-first.dat"))"
awk -v m="$mfirst" -v d="$direct" -v r="$rfirst" 'BEGIN {printf "MusicFS first read = %.0f%% of direct, %.1fx rclone\n", 100*m/d, m/r}'

echo "== warm reads, latencies and memory (all three mounted; files read once first)"
cat "$music/${large_src[2]}" > /dev/null
for i in $(seq "$repeat"); do read_mbps "$music/${large_src[2]}" >> "$work/direct-warm.dat"; done
direct_warm=$(median < "$work/direct-warm.dat")
echo "source directly, page cache warm: $direct_warm MB/s (runs: $(tr '\n' ' ' < "$work/direct-warm.dat"))"
start_musicfs keep
start_rclone keep
mergerfs -o fsname=bench-mergerfs "$music" "$work/mnt-mergerfs"
for fs in musicfs mergerfs rclone; do
  case $fs in musicfs) base="$work/mnt-musicfs"; big="${large_virt[2]}"; list="$work/bulk-virt.txt";;
              *) base="$work/mnt-$fs"; big="${large_src[2]}"; list="$work/bulk-src.txt";; esac
  # cache everything once (MusicFS: chunk cache; rclone: VFS cache)
  while read -r f; do cat "$base/$f" > /dev/null; done < "$list"
  cat "$base/$big" > /dev/null
  # "cached" means on the cache disk: MusicFS writes chunks behind the reader's back, so wait until its
  # chunk count stops moving (rclone writes its cache file while it serves the read)
  [ $fs = musicfs ] && cache_settled
  for i in $(seq "$repeat"); do read_mbps "$base/$big" >> "$work/$fs-warm.dat"; done
  # a player's reads of cached tracks happen in a daemon that has served some before: one unmeasured
  # pass over the cached tracks' heads with the page cache dropped, as the measured runs do (for all mounts)
  drop_caches; while read -r f; do head -c 65536 "$base/$f" > /dev/null; done < "$list"
  for i in $(seq "$repeat"); do
    drop_caches; latencies open "$base" "$list" "$i" >> "$work/$fs-open.dat"
    drop_caches; latencies random "$base" "$list" "$i" >> "$work/$fs-random.dat"
  done
  # medians over the runs of each percentile
  open_lat="$(cut -d' ' -f1 "$work/$fs-open.dat" | median) $(cut -d' ' -f2 "$work/$fs-open.dat" | median)"
  rand_lat="$(cut -d' ' -f1 "$work/$fs-random.dat" | median) $(cut -d' ' -f2 "$work/$fs-random.dat" | median)"
  case $fs in musicfs) pid=$mpid;; rclone) pid=$rpid;; mergerfs) pid=$(pgrep -f "mergerfs.*bench-mergerfs" | head -1);; esac
  warm=$(median < "$work/$fs-warm.dat")
  echo "$fs: warm sequential $warm MB/s ($(awk -v w="$warm" -v d="$direct_warm" 'BEGIN {printf "%.0f", 100*w/d}')% of the source's), open+64 KiB of 200 cached tracks p50/p99 $open_lat ms;" \
       "64 KiB at random offsets p50/p99 $rand_lat ms; RSS $(rss_of "$pid")"
done
stop_rclone
stop_musicfs
echo "work folder: $work"
