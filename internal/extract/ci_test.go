package extract_test

import "testing"

// TestCIServices checks that GitHub Actions and GitLab CI service
// containers are server profiles of environment ci, and that the jobs'
// variables are clients that speak the service's driver.
func TestCIServices(t *testing.T) {
	tests := []struct {
		name, rel, data string
		wants           []want
	}{
		{"github actions", ".github/workflows/test.yml", `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: app
          POSTGRES_PASSWORD: ${{ secrets.PG_PASSWORD }}
          POSTGRES_DB: app_test
        ports:
          - 5432:5432
      cache:
        image: nginx
    env:
      DB_HOST: localhost
      DB_PORT: 5432
    steps:
      - uses: actions/checkout@v4
      - run: make test
        env:
          DATABASE_URL: postgres://app@localhost:5432/app_test?connect_timeout=5
`, []want{
			{name: "test.postgres", driver: "postgres", host: "localhost", port: "5432", user: "app", database: "app_test",
				password: "secret:secrets.PG_PASSWORD", env: "ci", serverSide: true},
			{name: "test.DB", driver: "postgres", host: "localhost", port: "5432", env: "ci"},
			{name: "test.DATABASE_URL", driver: "postgres", host: "localhost", database: "app_test", connectTimeout: "5", env: "ci"},
		}},
		{"gitlab ci", ".gitlab-ci.yml", `stages: [test]
variables:
  POSTGRES_DB: app
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: runner-pw
rspec:
  stage: test
  services:
    - name: postgres:15
      alias: db
  variables:
    RAILS_ENV: test
    DATABASE_URL: postgres://runner@db:5432/app
  script: bundle exec rspec
`, []want{
			{name: "rspec.db", driver: "postgres", host: "db", user: "runner", database: "app", password: "literal", env: "ci", serverSide: true},
			{name: "rspec.DATABASE_URL", driver: "postgres", host: "db", port: "5432", database: "app", env: "test"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFile(t, tt.rel, tt.data, tt.wants) })
	}
}

// TestCIWorkflowEnvOnce checks that a workflow's env, which every job
// sees, is one profile and not one per job.
func TestCIWorkflowEnvOnce(t *testing.T) {
	checkFile(t, ".github/workflows/test.yml", `env:
  DATABASE_URL: postgres://app@postgres:5432/app
jobs:
  unit:
    runs-on: ubuntu-latest
    container: python:3.12
    services:
      postgres:
        image: postgres:16
    steps: [{run: make test}]
  lint:
    runs-on: ubuntu-latest
    steps: [{run: make lint}]
`, []want{{name: "DATABASE_URL", driver: "postgres", host: "postgres", env: "ci"},
		{name: "unit.postgres", driver: "postgres", host: "postgres", env: "ci", serverSide: true}})
}
