package realpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// debianRoot is where Debian and Ubuntu install each PostgreSQL major version's server.
const debianRoot = "/usr/lib/postgresql"

// errNoBinaries is returned when no PostgreSQL server is installed.
var errNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found under " + debianRoot +
	"/<version>/bin or on PATH: install them with `apt-get install postgresql` (or `go tool task deps:postgres`), " +
	"point " + EnvURL + " at a server, or set " + EnvSkip + "=1 to skip the tests that need one")

var lookPath = exec.LookPath

// findBinDir returns the bin directory of the newest PostgreSQL under root that has both
// initdb and postgres, else the directory of initdb on PATH when postgres is beside it.
func findBinDir(root string, lookPath func(string) (string, error)) (string, error) {
	entries, _ := os.ReadDir(root) // a missing root is no installation
	var versions []string
	for _, e := range entries {
		bin := filepath.Join(root, e.Name(), "bin")
		if versionKey(e.Name()) != nil && isExecutable(filepath.Join(bin, "initdb")) && isExecutable(filepath.Join(bin, "postgres")) {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) > 0 {
		newest := slices.MaxFunc(versions, func(a, b string) int { return slices.Compare(versionKey(a), versionKey(b)) })
		return filepath.Join(root, newest, "bin"), nil
	}
	if initdb, err := lookPath("initdb"); err == nil {
		bin := filepath.Dir(initdb)
		if isExecutable(filepath.Join(bin, "postgres")) {
			return bin, nil
		}
	}
	return "", errNoBinaries
}

// versionKey parses "15" or "9.6" into comparable numbers; nil if name is not a version.
func versionKey(name string) []int {
	var key []int
	for f := range strings.SplitSeq(name, ".") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil
		}
		key = append(key, n)
	}
	return key
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// cluster is a running throwaway PostgreSQL.
type cluster struct {
	dir     string // owns everything: the Unix socket, data/ and postgres.log
	version string
	port    int
	lock    *os.File // flocked while the cluster is in use (see sweepStale)
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the server process has exited
}

// dirPattern names cluster directories.
const dirPattern = "attache-realpg-"

// lockDir creates and locks dir's lock file. The lock dies with this process, however it
// ends, which is how sweepStale tells a dead test binary's cluster from a live one.
func lockDir(dir string) (*os.File, error) {
	// Locked before it gets its name, so that no sweeper ever sees it unlocked.
	f, err := os.CreateTemp(dir, "lock-")
	if err != nil {
		return nil, fmt.Errorf("create cluster lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock cluster directory: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, "lock")); err != nil {
		f.Close()
		return nil, fmt.Errorf("name cluster lock: %w", err)
	}
	return f, nil
}

// sweepStale removes the cluster directories that test binaries which died without
// stopping their cluster (a test timeout, a kill) left behind in base. The kernel has
// already stopped their servers (Pdeathsig); a directory still locked is in use.
func sweepStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPattern+"*"))
	for _, d := range dirs {
		f, err := os.Open(filepath.Join(d, "lock"))
		if err != nil {
			continue // being set up right now, or not ours
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			_ = os.RemoveAll(d)
		}
		f.Close()
	}
}

func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// startCluster initialises a cluster in a new temporary directory and starts its server.
func startCluster(ctx context.Context, bin string) (_ *cluster, err error) {
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the system user the package created.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and PostgreSQL must not: no `postgres` user to run it as (apt-get install postgresql creates one): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	base := tempBase(cred != nil)
	sweepStale(base)
	dir, err := os.MkdirTemp(base, dirPattern)
	if err != nil {
		return nil, fmt.Errorf("make cluster directory: %w", err)
	}
	c := &cluster{dir: dir}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if c.lock, err = lockDir(dir); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("give the cluster directory to the postgres user: %w", err)
		}
	}

	out, err := c.command(ctx, cred, filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("postgres --version: %w", err)
	}
	if f := strings.Fields(string(out)); len(f) >= 3 { // postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)
		c.version = f[2]
	}
	initdb := c.command(ctx, cred, filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}

	// A free port can be taken by someone else before the server binds it: try again then.
	for attempt := 0; ; attempt++ {
		err := c.serve(ctx, cred, bin)
		if err == nil {
			return c, nil
		}
		if attempt == 2 || !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
}

var errPortTaken = errors.New("port taken")

// serve starts the server on a free port and waits until it accepts connections.
func (c *cluster) serve(ctx context.Context, cred *syscall.Credential, bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.port = port
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create server log: %w", err)
	}
	defer logFile.Close() // the server keeps its own descriptor
	cmd := c.command(context.Background(), cred, filepath.Join(bin, "postgres"), "-D", c.dataDir(),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+c.dir,
		// A throwaway cluster: durability buys nothing, speed does.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "shared_buffers=32MB",
		"-c", "max_connections=200",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Stop the server if the test binary dies without calling Stop (a test timeout panics,
	// skipping TestMain's cleanup). The kernel signals when the starting *thread* ends, so
	// the server is started, and waited for, from a goroutine locked to its thread.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	c.cmd = cmd
	c.exited = make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the server
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		attempt, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(attempt, c.url())
		cancel()
		if err == nil {
			_ = conn.Close(ctx)
			return nil
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(logPath)
			if bytes.Contains(log, []byte("could not bind")) || bytes.Contains(log, []byte("could not create any TCP/IP sockets")) {
				return fmt.Errorf("%w: %s", errPortTaken, lastLines(log, 5))
			}
			return fmt.Errorf("postgres exited during start-up:\n%s", lastLines(log, 20))
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres did not accept connections within 30s (last error: %v):\n%s", err, lastLines(log, 20))
		}
	}
}

// command prepares a PostgreSQL program to run as cred (nil: as this process's user), in
// the cluster directory, in its own process group (a terminal's Ctrl-C goes to the tests,
// whose Stop shuts the server down in order).
func (c *cluster) command(ctx context.Context, cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	return cmd
}

func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// stop shuts the server down (fast shutdown: sessions are disconnected) and removes the
// cluster directory.
func (c *cluster) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(15 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	}
	_ = os.RemoveAll(c.dir)
	if c.lock != nil {
		c.lock.Close()
	}
}

// tempBase is the directory to make the cluster directory in: the usual temporary
// directory, unless its path is too long for a Unix socket path (about 100 bytes), or, when
// the server runs as another user, that user could not reach it.
func tempBase(otherUser bool) string {
	base := os.TempDir()
	if len(base) > 60 || (otherUser && !othersCanEnter(base)) {
		return "/tmp"
	}
	return base
}

// othersCanEnter reports whether every directory from dir up to / is searchable by others.
func othersCanEnter(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines returns the last n lines of b, for error messages.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
