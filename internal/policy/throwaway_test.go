package policy_test

import "testing"

// TestThrowawayContexts holds the signals that tell a developer's
// database from a deployed one (docs/precision.md, third session): a
// compose database container that keeps its data nowhere named, a dev
// container's stack, a code generator's settings, a demo module. Each
// file is a minimal one written for the test; the findings a reviewer
// would want are listed, and the cases beside them show what still fails.
func TestThrowawayContexts(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{"a database container with no data volume is a throwaway: its sample password is info",
			[]string{"docker-compose.yml", "services:\n  postgres:\n    image: postgres:18\n    ports:\n      - \"5432:5432\"\n    environment:\n      - POSTGRES_PASSWORD=shop\n      - POSTGRES_USER=shop\n"},
			[]string{"password-literal info development"}},
		{"a throwaway container's generated-looking password is still an error",
			[]string{"docker-compose.yml", "services:\n  postgres:\n    image: postgres:18\n    environment:\n      POSTGRES_PASSWORD: Zk3-9qLmTw\n"},
			[]string{"password-literal error development"}},
		{"a config-only mount keeps no data",
			[]string{"docker-compose.yml", "services:\n  mysql:\n    image: mysql:9\n    environment:\n      MYSQL_ROOT_PASSWORD: root\n    volumes:\n      - ./conf.d:/etc/mysql/conf.d:ro\n"},
			[]string{"password-literal info development"}},
		{"a tmpfs data directory keeps no data",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n    tmpfs:\n      - /var/lib/postgresql/data\n"},
			[]string{"password-literal info development"}},
		{"the clients of a throwaway container in the same file shares its password",
			[]string{"docker-compose.yml", "services:\n  app:\n    image: shop\n    environment:\n      DATABASE_URL: postgres://shop:shop@db:5432/shop?connect_timeout=5\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: shop\n      POSTGRES_PASSWORD: shop\n"},
			[]string{"password-literal info development", "password-literal info development"}},
		{"a database bound to a host folder keeps its data: a deployment",
			[]string{"docker-compose.yml", "services:\n  mysql:\n    image: mysql:5.7\n    restart: always\n    environment:\n      MYSQL_ROOT_PASSWORD: root\n    volumes:\n      - /srv/mysql/data:/var/lib/mysql\n"},
			[]string{"password-literal error unknown"}},
		{"a named volume at the data directory keeps the data",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n    volumes:\n      - type: volume\n        source: pgdata\n        target: /var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n"},
			[]string{"password-literal error unknown"}},
		{"PGDATA under a mounted folder keeps the data",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n      PGDATA: /pgdata/16\n    volumes:\n      - pgdata:/pgdata\nvolumes:\n  pgdata: {}\n"},
			[]string{"password-literal error unknown"}},
		{"a production path wins over a throwaway container",
			[]string{"deploy/prod/docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n"},
			[]string{"password-literal error production"}},
		{"a stack built from a dev container's Dockerfile is a developer's",
			[]string{"worktree/docker-compose.yml", "services:\n  shop:\n    build:\n      context: ..\n      dockerfile: .devcontainer/Dockerfile\n    env_file:\n      - ../.devcontainer/common.env\n    depends_on: [db]\n  db:\n    image: postgres:15-alpine\n    volumes:\n      - shop-db:/var/lib/postgresql/data\n    environment:\n      - POSTGRES_USER=shop\n      - POSTGRES_PASSWORD=shop\nvolumes:\n  shop-db: {}\n"},
			[]string{"password-literal info development"}},
		{"a code generator's settings are a developer's",
			[]string{"codegen/src/main/resources/generator.properties", "jdbc.driverClass=com.mysql.cj.jdbc.Driver\njdbc.connectionURL=jdbc:mysql://localhost:3306/shop\njdbc.userId=root\njdbc.password=root\n"},
			[]string{"connect-timeout-missing info development", "password-literal info development"}},
		{"a demo module is a sample",
			[]string{"shop-demo/src/main/resources/application.yml", "spring:\n  datasource:\n    url: jdbc:mysql://localhost:3306/shop?connectTimeout=5000&sslMode=DISABLED\n    username: root\n    password: root\n"},
			[]string{"password-literal info unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantFindings(t, tt.files, tt.want) })
	}
}
