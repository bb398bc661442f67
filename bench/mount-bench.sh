#!/usr/bin/env bash
# Times the real MusicFS mount on this machine (issue "MusicFS end to end"):
#  - scan throughput (tracks/s) of a fresh 10,000-track library,
#  - time from `musicfs mount` to a listable mount with those tracks already in the catalog,
#  - sequential read MB/s of a 64 MB file: the source file directly (page cache dropped), through the
#    mount cold (first read: origin -> chunk cache -> reader), through the mount with the chunk cache
#    warm (page cache dropped), and through the mount with the page cache warm,
#  - heap and RSS of the daemon with the library mounted.
# Each read is repeated (REPEAT, default 5) and the median reported. Needs root (drop_caches).
# Usage: bench/mount-bench.sh [TRACKS] [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tracks="${1:-10000}"
work="${2:-$(mktemp -d /tmp/musicfs-bench.XXXX)}"
repeat="${REPEAT:-5}"
jar="$root/musicfs.run/target/musicfs.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests install)
music="$work/music"; cache="$work/cache"; mnt="$work/mnt"; log="$work/daemon.log"
mkdir -p "$mnt"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
# MB/s of reading a file once with dd (1 MiB blocks)
read_mbps() {
  local s e; s=$(now); dd if="$1" of=/dev/null bs=1M status=none; e=$(now);
  awk -v b="$(stat -c %s "$1")" -v s="$s" -v e="$e" 'BEGIN {printf "%.1f\n", b/1048576/(e-s)}'; }

start_daemon() {
  : > "$log"
  "$root/musicfs" mount --origin "$music" --cache "$cache" "$mnt" >"$log" 2>&1 &
  pid=$!
}
wait_for() { # pattern timeout
  local deadline=$((SECONDS + $2))
  until grep -q "$1" "$log"; do
    kill -0 "$pid" 2>/dev/null || { echo "daemon died:"; cat "$log"; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "timeout waiting for '$1'"; cat "$log"; exit 1; }
    sleep 0.05
  done
}
stop_daemon() { kill -TERM "$pid"; wait "$pid" || true; }

if [ ! -f "$work/truth.tsv" ]; then
  echo "== generating $tracks tracks (+ hard cases, 2 x 64 MB) in $music"
  java -cp "$root/musicfs.testkit/target/classes" io.musicfs.testkit.corpus.CorpusMain \
    --tracks "$tracks" --out "$music" --truth "$work/truth.tsv" --large-mb 64 --large-count 2
fi
rm -f "$work"/listable.txt "$work"/direct.txt "$work"/cold.txt "$work"/warm-chunks.txt "$work"/warm-page.txt
big="$(awk -F'\t' '$1=="present" && $2=="large" {print $3; exit}' "$work/truth.tsv")"
bigv="$(awk -F'\t' '$1=="present" && $2=="large" {print $4; exit}' "$work/truth.tsv")"
count="$(awk -F'\t' '$1=="present"' "$work/truth.tsv" | wc -l)"

echo "== scan: fresh cache, $count tracks"
rm -rf "$cache"; drop_caches
start_daemon
wait_for "origin music: sync finished" 900
grep "origin music: sync finished" "$log" | tail -1
scan_ms=$(grep -o "in [0-9]* ms" <(grep "origin music: sync finished" "$log" | tail -1) | awk '{print $2}')
echo "scan throughput: $(awk -v n="$count" -v ms="$scan_ms" 'BEGIN {printf "%.0f", n/(ms/1000)}') tracks/s ($count tracks in $scan_ms ms)"
stop_daemon

echo "== time to a listable mount with $count tracks in the catalog (median of $repeat)"
for i in $(seq "$repeat"); do
  s=$(now); start_daemon
  until [ -n "$(ls "$mnt" 2>/dev/null)" ]; do sleep 0.01; done
  e=$(now); awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f\n", e-s}' >> "$work/listable.txt"
  wait_for "musicfs: serving" 60
  if [ "$i" -lt "$repeat" ]; then stop_daemon; fi
done
echo "mount to listable: $(median < "$work/listable.txt") s (runs: $(tr '\n' ' ' < "$work/listable.txt"))"

echo "== memory with $count tracks mounted"
ls -R "$mnt" > /dev/null
jcmd "$pid" GC.run >/dev/null 2>&1 || true
heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/used/ {for(i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}')
rss=$(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status)
echo "heap used after GC: $heap; RSS: $rss"

echo "== sequential read of a 64 MB file (median of $repeat)"
for i in $(seq "$repeat"); do
  drop_caches; read_mbps "$music/$big" >> "$work/direct.txt"
done
echo "source file directly, page cache dropped: $(median < "$work/direct.txt") MB/s"
stop_daemon
for i in $(seq "$repeat"); do
  # cold: a new cache folder (no chunks, no manifests), scanned, then the first read of the file
  rm -rf "$cache"
  start_daemon; wait_for "origin music: sync finished" 900
  drop_caches
  read_mbps "$mnt/$bigv" >> "$work/cold.txt"
  drop_caches; read_mbps "$mnt/$bigv" >> "$work/warm-chunks.txt"
  read_mbps "$mnt/$bigv" >> "$work/warm-page.txt"
  stop_daemon
done
echo "through the mount, cold (origin -> cache): $(median < "$work/cold.txt") MB/s"
echo "through the mount, chunk cache warm, page cache dropped: $(median < "$work/warm-chunks.txt") MB/s"
echo "through the mount, page cache warm: $(median < "$work/warm-page.txt") MB/s"
echo "work folder: $work"
