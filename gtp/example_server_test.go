package gtp_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

// A Server answers GTP for a Player; here the fake one of gtptest.
func ExampleServer() {
	srv, err := gtp.NewServer(&gtptest.Player{}, gtp.ServerConfig{Name: "tengen", Version: "1.0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	in := strings.NewReader("1 name\nkomi 6.5\nboardsize 9\nplay b e5\nplay w e5\nlist_stones b\nquit\n")
	if err := srv.Serve(context.Background(), in, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// =1 tengen
	//
	// =
	//
	// =
	//
	// =
	//
	// ? illegal move
	//
	// = E5
	//
	// =
}
