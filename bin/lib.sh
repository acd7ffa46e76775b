# Shared by the bin/ scripts (sourced, not run): finds a JDK >= 22, installs what a fresh Debian 12 machine
# lacks, builds the project when its sources changed, and launches the tools with the JVM flags from the POM.

DP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DP_MIN_JAVA=22
DP_PACKAGES="dpdk libdpdk-dev dpdk-dev tshark maven gcc pkg-config iproute2 python3 fontconfig fonts-dejavu-core"

dp_die() { echo "$(basename "$0"): error: $*" >&2; exit 2; }

# Major version of the JDK at $1, from its release file (0 when there is none).
dp_java_major() {
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
    echo "${v:-0}"
}

# JAVA_HOME when it is new enough, else the newest JDK >= 22 under /usr/lib/jvm.
dp_find_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ "$(dp_java_major "$JAVA_HOME")" -ge "$DP_MIN_JAVA" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        return
    fi
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*/; do
        dir=${dir%/}
        [ -x "$dir/bin/javac" ] || continue
        major=$(dp_java_major "$dir")
        if [ "$major" -ge "$DP_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best=$dir best_major=$major
        fi
    done
    [ -n "$best" ] || dp_die "no JDK >= $DP_MIN_JAVA found (JAVA_HOME=${JAVA_HOME:-unset}, none under /usr/lib/jvm); install JDK 25 and set JAVA_HOME"
    export JAVA_HOME=$best
}

# Debian packages the build, the tools and the tests need (or those named); installed only when one is missing.
dp_install_packages() {
    local missing="" p
    for p in ${*:-$DP_PACKAGES}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return
    [ "$(id -u)" -eq 0 ] || dp_die "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)"
    echo "Installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || dp_die "apt-get update failed"
    apt-get install -y -q --no-install-recommends $missing >&2 || dp_die "apt-get install$missing failed"
}

dp_mvn() {
    (cd "$DP_ROOT" && mvn -B -q -e "$@")
}

# Builds (without tests) when a jar is missing or a source file is newer than the last build.
dp_build_if_needed() {
    local stamp="$DP_ROOT/perf/target/.dp-built"
    if [ -f "$stamp" ] && [ -z "$(find "$DP_ROOT" -path '*/target' -prune -o -path "$DP_ROOT/.git" -prune -o \
            -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.c' -o -name '*.sh' \) -newer "$stamp" -print -quit)" ]; then
        return
    fi
    echo "Building (mvn package, tests skipped)..." >&2
    dp_mvn -DskipTests package || dp_die "build failed; run bin/build to see why"
    touch "$stamp"
}

dp_setup() {
    dp_install_packages
    dp_find_java
    export PATH="$JAVA_HOME/bin:$PATH"
    # Maven's own Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every build.
    if [ "$(dp_java_major "$JAVA_HOME")" -ge 24 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    fi
}

# Runs a tool's main class: dp_run MODULE MAIN_CLASS ARGS...
dp_run() {
    local module=$1 main=$2
    shift 2
    local flags
    flags=$(cat "$DP_ROOT/dpdk-bindings/target/classes/dev/dataplane/dpdk/jvm.options")
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" $flags ${DP_JAVA_OPTS:-} -cp "$DP_ROOT/$module/target/classes:$DP_ROOT/$module/target/lib/*" "$main" "$@"
}
