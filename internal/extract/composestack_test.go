package extract_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// TestComposeStackEnvironment holds what a compose file says of its own
// environment (docs/scan.md, "Environment"), and that the path and a
// variable outrank it.
func TestComposeStackEnvironment(t *testing.T) {
	const throwaway = "services:\n  app:\n    image: shop\n    environment:\n      DATABASE_URL: postgres://shop@db:5432/shop\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: shop\n"
	tests := []struct {
		name, rel, data string
		env, raw, from  string // of every profile
	}{
		{"a database that keeps no data, and its client", "docker-compose.yml", throwaway,
			"development", "no-data-volume", "compose"},
		{"the path first", "deploy/production/docker-compose.yml", throwaway,
			"production", "production", "path"},
		{"a named data volume", "docker-compose.yml",
			"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: shop\n    volumes:\n      - db:/var/lib/postgresql/data\n",
			"unknown", "", ""},
		{"an anonymous volume is the image's own", "docker-compose.yml",
			"services:\n  db:\n    image: mysql:8\n    environment:\n      MYSQL_USER: shop\n    volumes:\n      - /var/lib/mysql\n",
			"development", "no-data-volume", "compose"},
		{"an override without the image decides nothing", "docker-compose.override.yml",
			"services:\n  db:\n    ports:\n      - \"5432:5432\"\n    environment:\n      POSTGRES_USER: shop\n",
			"unknown", "", ""},
		{"a cache without a volume is no throwaway", "docker-compose.yml",
			"services:\n  cache:\n    image: redis:7\n    command: redis-server --requirepass Zk3-9qLmTw\n",
			"unknown", "", ""},
		{"a dev container's stack", "wt/docker-compose.yml",
			"services:\n  app:\n    build:\n      context: ..\n      dockerfile: .devcontainer/Dockerfile\n    environment:\n      DATABASE_URL: postgres://shop@db:5432/shop\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: shop\n    volumes:\n      - db:/var/lib/postgresql/data\n",
			"development", "devcontainer", "compose"},
		{"a variable wins", "docker-compose.yml",
			"services:\n  app:\n    image: shop\n    environment:\n      APP_ENV: production\n      DATABASE_URL: postgres://shop@db:5432/shop\n  db:\n    image: postgres:16\n",
			"production", "production", "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := extract.File(tt.rel, []byte(tt.data)).Profiles
			if len(ps) == 0 {
				t.Fatal("no profile")
			}
			for _, p := range ps {
				if string(p.Environment) != tt.env || p.EnvironmentRaw != tt.raw || p.EnvironmentFrom != tt.from {
					t.Errorf("%s: environment %s (%q from %q), want %s (%q from %q)",
						p.Name, p.Environment, p.EnvironmentRaw, p.EnvironmentFrom, tt.env, tt.raw, tt.from)
				}
			}
		})
	}
}
