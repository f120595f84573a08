package cli

// templateCanaryCases are TestCanaryParserErrors's templated files (Helm,
// ERB, Jinja): the password as a template's default, in a condition, in
// both branches of a block, and where the template is beyond parsing.
func templateCanaryCases(host, port string) []parserCanaryCase {
	s := "S" + parserCanaryBody
	var cs []parserCanaryCase
	add := func(name, file, text string, unreadable bool) {
		cs = append(cs, parserCanaryCase{name: name, file: file, text: text, secret: s, unreadable: unreadable})
	}
	helm := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  DB_HOST: " + host + "\n  DB_PORT: \"" + port + "\"\n"
	add("helm template default", "templates/secret.yaml",
		helm+"  DB_PASSWORD: {{ .Values.db.password | default \""+s+"\" | quote }}\n", false)
	add("helm template default, function form", "templates/secret.yaml",
		helm+"  DB_PASSWORD: {{ default \""+s+"\" .Values.db.password }}\n", false)
	add("helm condition naming the password", "templates/secret.yaml",
		"{{- if eq .Values.db.password \""+s+"\" }}\n"+helm+"  DB_PASSWORD: {{ .Values.db.password }}\n{{- end }}\n", false)
	add("helm condition with the bare password", "templates/secret.yaml",
		"{{- if eq .Values.db.password "+s+" }}\n"+helm+"{{- else }}\n  DB_PASSWORD: x\n{{- end }}\n", false)
	add("helm branches", "templates/secret.yaml",
		helm+"  {{- if .Values.a }}\n  DB_PASSWORD: "+s+"\n  {{- else }}\n  DB_PASSWORD: {{ .Values.b | default \""+s+"\" }}\n  {{- end }}\n", false)
	add("helm beyond parsing", "templates/secret.yaml",
		helm+"  DB_PASSWORD: {{- toYaml .Values.pw | nindent 4 }}\n    "+s+": "+s+"\n", true)
	erb := "production:\n  adapter: postgresql\n  host: " + host + "\n  port: " + port + "\n"
	add("erb fetch default", "config/database.yml", erb+"  password: <%= ENV.fetch(\"DB_PASSWORD\") { \""+s+"\" } %>\n", false)
	add("erb or default", "config/database.yml", erb+"  password: <%= ENV['DB_PASSWORD'] || '"+s+"' %>\n", false)
	add("erb condition", "config/database.yml",
		erb+"<% if ENV['DB_PASSWORD'] == '"+s+"' %>\n  password: x\n<% else %>\n  password: "+s+"\n<% end %>\n", false)
	add("jinja default", "app.yaml.j2",
		"database:\n  host: "+host+"\n  password: \"{{ db_password | default('"+s+"') }}\"\n", false)
	return cs
}
