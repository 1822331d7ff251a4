/* grpc-style server PORT
 * grpc-style client [--trailers-only-test] [--raw HEX]
 *                   http://127.0.0.1:PORT/pkg.Service/Method MESSAGE...
 *
 * A gRPC-shaped unary call over h2c: both ends in one program so that
 * each can be tested against the other. See README.md in this directory
 * for the wire format and the statuses. */
#include <stdio.h>
#include <string.h>

#include "grpc.h"

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "server") == 0) {
    return gs_server_main(argc - 1, argv + 1);
  }
  if (argc >= 2 && strcmp(argv[1], "client") == 0) {
    return gs_client_main(argc - 1, argv + 1);
  }
  if (argc < 2) {
    fputs("grpc-style: no mode given (server or client)\n", stderr);
  } else {
    fprintf(stderr, "grpc-style: unknown mode '%s' (server or client)\n",
            argv[1]);
  }
  fputs("usage: grpc-style server PORT\n"
        "       grpc-style client [--trailers-only-test] [--raw HEX] "
        "http://127.0.0.1:PORT/pkg.Service/Method MESSAGE...\n",
        stderr);
  return 2;
}
