package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/policy/audit"
	"github.com/attache-dev/attache/staff"
)

const staffUsage = `Usage: attache staff add --email E --role R [--name N] [--languages ar,en-GB] [--password-stdin]
       attache staff key --email E --name WHAT-FOR
       attache staff list

add creates a staff account (roles: agent, knowledge_manager, evaluator, admin); with
--password-stdin the password (12 to 256 characters) is read from the first line of standard
input, without it the account signs in with API keys only. key issues an API key for an
account and prints it — only once; only its hash is stored. list prints the accounts as
JSON lines. This is how production gets its first admin; afterwards admins manage accounts
through /v1/staff. Every change is written to the audit log as done by "cli".

The database is DATABASE_URL, or the embedded one of a running ` + "`attache dev`" + ` (found
through $ATTACHE_DATA_DIR).
`

func runStaff(ctx context.Context, args []string, cfg config.Config, logger *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "key" && args[0] != "list") {
		fmt.Fprint(stderr, staffUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, staffUsage) }
	email := fs.String("email", "", "the account's e-mail address")
	role := fs.String("role", "", "agent, knowledge_manager, evaluator or admin")
	name := fs.String("name", "", "the account's name (add) or what the key is for (key)")
	langs := fs.String("languages", "", "BCP 47 tags the staff member speaks, comma-separated")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "attache staff %s: unexpected %q\n\n%s", args[0], fs.Args(), staffUsage)
		return errUsage
	}
	need := func(v *string, flagName string) error {
		if strings.TrimSpace(*v) == "" {
			fmt.Fprintf(stderr, "attache staff %s: --%s is required\n\n%s", args[0], flagName, staffUsage)
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "add":
		if err := need(email, "email"); err != nil {
			return err
		}
		if err := need(role, "role"); err != nil {
			return err
		}
	case "key":
		if err := need(email, "email"); err != nil {
			return err
		}
		if err := need(name, "name"); err != nil {
			return err
		}
	}
	r, err := staff.ParseRole(*role)
	if args[0] == "add" && err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	var password string
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("--password-stdin: no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	pool, err := openToolDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	st, log := staff.New(pool, logger), audit.New(pool)
	switch args[0] {
	case "add":
		var languages []string
		for _, l := range strings.Split(*langs, ",") {
			if l = strings.TrimSpace(l); l != "" {
				languages = append(languages, l)
			}
		}
		a, err := st.CreateAccount(ctx, staff.NewAccount{Email: *email, Name: *name, Role: r, Password: password, Languages: languages})
		if err != nil {
			return err
		}
		if _, err := log.Append(ctx, audit.Entry{Actor: "cli", Action: "staff.account_created", Subject: "staff:" + a.ID,
			Details: map[string]any{"role": string(a.Role)}}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s), id %s\n", a.Email, a.Role, a.ID)
	case "key":
		a, err := st.AccountByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("--email %s: %w", *email, err)
		}
		key, k, err := st.CreateAPIKey(ctx, a.ID, *name)
		if err != nil {
			return err
		}
		if _, err := log.Append(ctx, audit.Entry{Actor: "cli", Action: "staff.api_key_created", Subject: "staff:" + a.ID,
			Details: map[string]any{"key_id": k.ID, "name": k.Name}}); err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
	case "list":
		as, err := st.ListAccounts(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		for _, a := range as {
			if err := enc.Encode(map[string]any{"id": a.ID, "email": a.Email, "name": a.Name, "role": a.Role, "disabled": a.Disabled()}); err != nil {
				return err
			}
		}
	}
	return nil
}
