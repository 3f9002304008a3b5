module github.com/tengen-go/tengen

go 1.26.0

require (
	github.com/spf13/pflag v1.1.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
