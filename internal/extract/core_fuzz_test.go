package extract_test

import "testing"

// The fuzz targets of the core extractors; fuzzProduct (product_test.go)
// checks that nothing panics and every location lies inside the input.

func FuzzCompose(f *testing.F) {
	fuzzProduct(f, "docker-compose.yml", "compose/app.yml", "link/docker-compose.yml", "compose/requirepass.yml", "compose/stack.yml")
}
func FuzzKubernetes(f *testing.F) {
	fuzzProduct(f, "deploy.yaml", "kube/deploy.yaml", "kube/colocated.yaml")
}
func FuzzDotenv(f *testing.F) { fuzzProduct(f, ".env", "dotenv/.env.production", "compose/.env") }
func FuzzGenericYAML(f *testing.F) {
	fuzzProduct(f, "database.yml", "generic/database.yml", "link/app/src/main/resources/application.yml")
}
func FuzzGenericJSON(f *testing.F) {
	fuzzProduct(f, "appsettings.json", "generic/appsettings.Production.json")
}
func FuzzGenericTOML(f *testing.F) { fuzzProduct(f, "config.toml", "generic/config.toml") }
func FuzzGitHubActions(f *testing.F) {
	fuzzProduct(f, ".github/workflows/test.yml", "ci/workflow.yml")
}
func FuzzGitLabCI(f *testing.F) { fuzzProduct(f, ".gitlab-ci.yml", "ci/gitlab-ci.yml") }
