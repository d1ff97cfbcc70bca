package devserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// clusterName is the name of the single cluster; it is stored in the database with every
// namespace, so it must never change.
const clusterName = "active"

// prepareDatabase returns the SQLite persistence config for dbPath ("" = in memory), creating
// the schema in a new file and registering namespace if it is missing.
func prepareDatabase(dbPath, namespace string) (*config.SQL, error) {
	var cfg *config.SQL
	if dbPath == "" {
		name, err := randomName()
		if err != nil {
			return nil, err
		}
		// The plugin creates the schema itself when it opens an in-memory database. The name
		// is random because the plugin's connection pool is shared by every server in the
		// process.
		cfg = &config.SQL{
			PluginName:        sqliteplugin.PluginName,
			DatabaseName:      name,
			ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
		}
	} else {
		if err := createSchemaIfMissing(dbPath); err != nil {
			return nil, err
		}
		cfg = fileConfig(dbPath)
		// WAL with synchronous=normal: a commit is in the WAL file before the call returns,
		// so a killed process loses nothing; only a power cut can lose the last commits. Much
		// faster than a full sync per write for a workstation. busy_timeout covers the short
		// moments when schema setup's connection and the server's overlap.
		cfg.ConnectAttributes["journal_mode"] = "wal"
		cfg.ConnectAttributes["synchronous"] = "normal"
		cfg.ConnectAttributes["busy_timeout"] = "5000"
	}

	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return nil, fmt.Errorf("register namespace %s: %w", namespace, err)
	}
	return cfg, nil
}

func fileConfig(path string) *config.SQL {
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: map[string]string{"mode": "rwc"},
	}
}

// createSchemaIfMissing creates the database at path with the server's schema. The schema is
// written to a side file first and renamed into place, so that a crash half way leaves no
// half-built database that a later start would take as complete.
func createSchemaIfMissing(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database file: %w", err)
	}
	tmp := path + ".init"
	for _, leftover := range []string{tmp, tmp + "-journal"} {
		if err := os.Remove(leftover); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove leftover %s: %w", leftover, err)
		}
	}
	// Nobody reads the side file before the rename, so it needs no journal and no syncs
	// (that makes creation several times faster). Both settings last only for this
	// connection; the database's own journal mode is set when the server opens it.
	setup := fileConfig(tmp)
	setup.ConnectAttributes["journal_mode"] = "memory"
	setup.ConnectAttributes["synchronous"] = "off"
	if err := sqliteschema.SetupSchema(setup); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// syncFile flushes the file at path to disk: with synchronous=off during creation, its
// content may still be in the page cache.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func randomName() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random database name: %w", err)
	}
	return "attache-" + hex.EncodeToString(b), nil
}

// serverConfig is everything temporal.NewServer needs, built for one set of ports.
type serverConfig struct {
	cfg          *config.Config
	hosts        map[primitives.ServiceName]static.Hosts
	frontendAddr string // gRPC
	httpAddr     string // the frontend's HTTP API
}

// buildConfig assembles the server configuration: four services on ip with the given ports
// (gRPC of frontend, history, matching and worker, then the frontend's HTTP API), static
// membership, one history shard, SQLite for both the default and the visibility store, no
// metrics, no pprof, no archival.
func buildConfig(ip string, ports []int, sqlCfg *config.SQL) serverConfig {
	// Services bind to ip; they reach each other (and clients reach the frontend) at
	// advertised, which is the loopback address when ip is a wildcard.
	advertised := ip
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
		advertised = "127.0.0.1"
		if parsed.To4() == nil {
			advertised = "::1"
		}
	}
	addr := func(port int) string { return net.JoinHostPort(advertised, strconv.Itoa(port)) }

	services := []primitives.ServiceName{
		primitives.FrontendService,
		primitives.HistoryService,
		primitives.MatchingService,
		primitives.WorkerService,
	}
	sc := serverConfig{
		cfg: &config.Config{
			Global: config.Global{
				Membership: config.Membership{
					MaxJoinDuration:  30 * time.Second,
					BroadcastAddress: advertised,
				},
			},
			Persistence: config.Persistence{
				DefaultStore:     sqliteplugin.PluginName,
				VisibilityStore:  sqliteplugin.PluginName,
				NumHistoryShards: 1,
				DataStores: map[string]config.DataStore{
					sqliteplugin.PluginName: {SQL: sqlCfg},
				},
			},
			ClusterMetadata: &cluster.Config{
				EnableGlobalNamespace:    false,
				FailoverVersionIncrement: 10,
				MasterClusterName:        clusterName,
				CurrentClusterName:       clusterName,
				ClusterInformation: map[string]cluster.ClusterInformation{
					clusterName: {
						Enabled:                true,
						InitialFailoverVersion: 1,
						RPCAddress:             addr(ports[0]),
						HTTPAddress:            addr(ports[4]),
					},
				},
			},
			DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
			Services:            make(map[string]config.Service, len(services)),
			Archival: config.Archival{
				History:    config.HistoryArchival{State: "disabled"},
				Visibility: config.VisibilityArchival{State: "disabled"},
			},
			NamespaceDefaults: config.NamespaceDefaults{
				Archival: config.ArchivalNamespaceDefaults{
					History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
					Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
				},
			},
			// The server's worker service dials the frontend through this address.
			PublicClient: config.PublicClient{HostPort: addr(ports[0])},
		},
		hosts:        make(map[primitives.ServiceName]static.Hosts, len(services)),
		frontendAddr: addr(ports[0]),
		httpAddr:     addr(ports[4]),
	}
	for i, name := range services {
		sc.cfg.Services[string(name)] = config.Service{
			RPC: config.RPC{GRPCPort: ports[i], BindOnIP: ip},
		}
		sc.hosts[name] = static.SingleLocalHost(addr(ports[i]))
	}
	// The HTTP API also serves Nexus endpoints; without it the server warns at every start.
	frontend := sc.cfg.Services[string(primitives.FrontendService)]
	frontend.RPC.HTTPPort = ports[4]
	sc.cfg.Services[string(primitives.FrontendService)] = frontend
	return sc
}

func (sc serverConfig) serverOptions(logger slogLogger) []temporal.ServerOption {
	dc := dynamicconfig.StaticClient{
		// The default (128k cached executions) is sized for a production host.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
		// Consoles list workflows while developing; the default of 10/s is easy to hit.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	return []temporal.ServerOption{
		temporal.WithConfig(sc.cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(sc.hosts),
		temporal.WithLogger(logger),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
		temporal.WithDynamicConfigClient(dc),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
	}
}
