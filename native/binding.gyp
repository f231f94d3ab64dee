{
  "targets": [
    {
      "target_name": "ferry_packet",
      "sources": ["packet_socket.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11"]
    }
  ]
}
