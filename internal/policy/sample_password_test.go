package policy_test

import (
	"strings"
	"testing"
)

// TestPasswordSampleValues: password-literal is info for a documented
// sample value (postgres, root, test, the user's own name...) in a test,
// CI, development or sample context, and stays an error for any other
// literal there, and for every literal in production, staging and unknown
// environments (docs/rules/password-literal.md).
func TestPasswordSampleValues(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"a database image's default in test",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=postgres\n"}, "password-literal info test"},
		{"the user's name repeated in test",
			[]string{".env.test", "DB_HOST=db\nDB_USER=saleor\nDB_PASSWORD=saleor\n"}, "password-literal info test"},
		{"sample words and the user's name in test",
			[]string{".env.test", "DB_HOST=db\nDB_USER=ghost\nDB_PASSWORD=ghost-test-password\n"}, "password-literal info test"},
		{"the database's name and digits in test",
			[]string{".env.test", "DB_HOST=db\nDB_NAME=shop\nDB_PASSWORD=Shop_2024\n"}, "password-literal info test"},
		{"a real-looking secret in test stays an error",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=Zk3-9qLmTw\n"}, "password-literal error test"},
		{"a short lowercase word in test is a throwaway",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=kama\n"}, "password-literal info test"},
		{"a long word in test stays an error",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=correcthorse\n"}, "password-literal error test"},
		{"a short word with upper case in test stays an error",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=kAma\n"}, "password-literal error test"},
		{"a short word in production stays an error",
			[]string{".env.production", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=kama\n"}, "password-literal error production"},
		{"your_database_password is a placeholder everywhere",
			[]string{".env.production", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=your_database_password\n"}, "password-literal info production"},
		{"your_name is no placeholder",
			[]string{".env.production", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=your_kama\n"}, "password-literal error production"},
		{"only digits are no sample value",
			[]string{".env.test", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=123456\n"}, "password-literal error test"},
		{"a CI service container and its job",
			[]string{".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n      postgres:\n        image: postgres:16\n        env:\n          POSTGRES_PASSWORD: postgres\n        ports: ['5432:5432']\n    env:\n      DATABASE_URL: postgres://postgres:postgres@localhost:5432/app?connect_timeout=5\n    steps:\n      - run: make test\n"},
			"password-literal info ci\npassword-literal info ci"},
		{"root in development",
			[]string{".env.development", "DB_HOST=localhost\nDB_USER=root\nDB_PASSWORD=root\n"}, "password-literal info development"},
		{"root in a sample file",
			[]string{"config/database.yml.example", "production:\n  adapter: mysql2\n  host: db\n  username: root\n  password: root\n"}, "password-literal info production"},
		{"a sample value in production stays an error",
			[]string{".env.production", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=postgres\n"}, "password-literal error production"},
		{"a sample value in staging stays an error",
			[]string{".env.staging", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=app\n"}, "password-literal error staging"},
		{"a sample value in an unknown environment stays an error",
			[]string{".env", "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=postgres\n"}, "password-literal error unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range findings(judge(t, nil, tt.files...)) {
				if strings.HasPrefix(f, "password-literal ") {
					got = append(got, f)
				}
			}
			if strings.Join(got, "\n") != tt.want {
				t.Errorf("password-literal findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.ReplaceAll(tt.want, "\n", "\n  "))
			}
		})
	}
}
