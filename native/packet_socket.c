// ferry's packet socket: the smallest native piece L2 mode needs. Node has no AF_PACKET sockets, and
// ARP/NDP for an IP that is not on any host interface (or is local on kube-ipvs0 with arp_ignore=1)
// can only be answered from one. This file opens, reads (through libuv's poll, on the loop thread),
// writes and closes such sockets and lists interfaces; every byte of ARP/NDP is parsed and built in
// TypeScript (src/l2/).
//
// JS API (see src/l2/packet-socket.ts):
//   open(ifindex, kind, onFrame, netns?) -> handle   kind "arp": all ARP frames; "ndp": ICMPv6 NS/NA only
//   send(handle, frame)                      one whole Ethernet frame, out of the bound interface
//   addMembership(handle, mac)               accept frames to that multicast MAC (PACKET_MR_MULTICAST)
//   close(handle)
//   interfaces(netns?) -> [{ name, index, mac, hardwareType, flags, linkLocal }]
// `netns` (a path such as /var/run/netns/NAME) creates the socket / reads the interfaces in that
// network namespace: the calling thread enters it and returns; a socket stays in the namespace it
// was created in.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define MAX_FRAME 2048

typedef struct {
  int fd;
  int ifindex;
  int closed;
  uv_poll_t poll;
  napi_env env;
  napi_ref on_frame;
  napi_ref self;
  napi_async_context async_context;
} packet_socket;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error(env, NULL, "ferry_packet: N-API call failed: " #call);                     \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value error, code_value, msg;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  const char *code = err == EPERM ? "EPERM" : err == EACCES ? "EACCES" : err == ENODEV ? "ENODEV" : "EIO";
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_set_named_property(env, error, "code", code_value);
  napi_value errno_value;
  napi_create_int32(env, err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

// Classic BPF programs: the kernel drops everything else before it is copied to us.
// "ndp": EtherType IPv6, next header ICMPv6 (58), type 135 (NS) or 136 (NA). Extension headers
// are not followed: NS/NA never carry them (RFC 4861 senders put ICMPv6 right after the header).
static struct sock_filter ndp_filter[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 4),
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 135, 0, 2),
    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 136, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, MAX_FRAME),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

static void on_closed(uv_handle_t *handle) {
  packet_socket *sock = handle->data;
  free(sock);
}

static void release(packet_socket *sock, int from_finalizer) {
  if (sock->closed) return;
  sock->closed = 1;
  uv_poll_stop(&sock->poll);
  close(sock->fd);
  napi_env env = sock->env;
  if (sock->on_frame != NULL) napi_delete_reference(env, sock->on_frame);
  sock->on_frame = NULL;
  if (!from_finalizer && sock->async_context != NULL) napi_async_destroy(env, sock->async_context);
  sock->async_context = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  packet_socket *sock = data;
  release(sock, 1);
  napi_delete_reference(env, sock->self);
  uv_close((uv_handle_t *)&sock->poll, on_closed);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  packet_socket *sock = handle->data;
  if (sock->closed) return;
  napi_env env = sock->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, resource;
  if (napi_get_reference_value(env, sock->on_frame, &callback) != napi_ok || callback == NULL) {
    napi_close_handle_scope(env, scope);
    return;
  }
  napi_get_reference_value(env, sock->self, &resource);
  if (resource == NULL) napi_get_undefined(env, &resource);
  if (status < 0) {
    napi_close_handle_scope(env, scope);
    return;
  }
  unsigned char frame[MAX_FRAME];
  // Bounded per wake-up so a flood cannot starve the loop; level-triggered poll brings us back.
  for (int i = 0; i < 64 && !sock->closed; i++) {
    struct sockaddr_ll from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(sock->fd, frame, sizeof frame, 0, (struct sockaddr *)&from, &from_len);
    if (n < 0) break;
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    napi_value buffer, result;
    void *unused;
    if (napi_create_buffer_copy(env, (size_t)n, frame, &unused, &buffer) != napi_ok) break;
    napi_status call =
        napi_make_callback(env, sock->async_context, resource, callback, 1, &buffer, &result);
    if (call == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
      break;
    }
    if (napi_get_reference_value(env, sock->on_frame, &callback) != napi_ok || callback == NULL) break;
  }
  napi_close_handle_scope(env, scope);
}

// Enters the network namespace at `path` on this thread; *saved gets the previous one (-1: none).
static int enter_netns(napi_env env, napi_value value, int *saved) {
  *saved = -1;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) return 0;
  char path[4096];
  size_t length;
  if (napi_get_value_string_utf8(env, value, path, sizeof path, &length) != napi_ok) return EINVAL;
  int target = open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0) return errno;
  *saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (*saved < 0 || setns(target, CLONE_NEWNET) < 0) {
    int err = errno;
    close(target);
    if (*saved >= 0) close(*saved);
    *saved = -1;
    return err;
  }
  close(target);
  return 0;
}

static void leave_netns(int saved) {
  if (saved < 0) return;
  // Failing to return would leave the JavaScript thread in another namespace: never continue.
  if (setns(saved, CLONE_NEWNET) < 0) abort();
  close(saved);
}

static packet_socket *unwrap(napi_env env, napi_value value) {
  packet_socket *sock = NULL;
  if (napi_get_value_external(env, value, (void **)&sock) != napi_ok || sock == NULL) {
    napi_throw_type_error(env, NULL, "ferry_packet: not a packet socket handle");
    return NULL;
  }
  return sock;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "open(ifindex, kind, onFrame)");
    return NULL;
  }
  int32_t ifindex;
  CHECK(napi_get_value_int32(env, argv[0], &ifindex));
  char kind[8];
  size_t kind_len;
  CHECK(napi_get_value_string_utf8(env, argv[1], kind, sizeof kind, &kind_len));
  int is_arp = strcmp(kind, "arp") == 0;
  if (!is_arp && strcmp(kind, "ndp") != 0) {
    napi_throw_type_error(env, NULL, "kind must be \"arp\" or \"ndp\"");
    return NULL;
  }
  uint16_t protocol = is_arp ? ETH_P_ARP : ETH_P_IPV6;
  int saved;
  int entered = argc > 3 ? enter_netns(env, argv[3], &saved) : (saved = -1, 0);
  if (entered != 0) return throw_errno(env, "entering network namespace", entered);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(protocol));
  int socket_errno = errno;
  leave_netns(saved);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", socket_errno);
  int one = 1;
  // Best effort: older kernels lack it; on_readable skips PACKET_OUTGOING frames anyway.
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (!is_arp) {
    struct sock_fprog program = {sizeof ndp_filter / sizeof ndp_filter[0], ndp_filter};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) < 0) {
      int err = errno;
      close(fd);
      return throw_errno(env, "SO_ATTACH_FILTER", err);
    }
  }
  struct sockaddr_ll address;
  memset(&address, 0, sizeof address);
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(protocol);
  address.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind(AF_PACKET)", err);
  }
  packet_socket *sock = calloc(1, sizeof *sock);
  if (sock == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  sock->fd = fd;
  sock->ifindex = ifindex;
  sock->env = env;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init_socket(loop, &sock->poll, fd) != 0) {
    close(fd);
    free(sock);
    return throw_errno(env, "uv_poll_init", EIO);
  }
  sock->poll.data = sock;
  napi_value handle, name;
  CHECK(napi_create_external(env, sock, finalize, NULL, &handle));
  CHECK(napi_create_reference(env, argv[2], 1, &sock->on_frame));
  CHECK(napi_create_reference(env, handle, 0, &sock->self));
  CHECK(napi_create_string_utf8(env, "ferry:packet-socket", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &sock->async_context));
  uv_poll_start(&sock->poll, UV_READABLE, on_readable);
  return handle;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  packet_socket *sock = unwrap(env, argv[0]);
  if (sock == NULL) return NULL;
  if (sock->closed) return throw_errno(env, "send on a closed packet socket", EBADF);
  void *data;
  size_t length;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  struct sockaddr_ll to;
  memset(&to, 0, sizeof to);
  to.sll_family = AF_PACKET;
  to.sll_ifindex = sock->ifindex;
  to.sll_halen = ETH_ALEN;
  if (length >= ETH_ALEN) memcpy(to.sll_addr, data, ETH_ALEN);
  if (sendto(sock->fd, data, length, 0, (struct sockaddr *)&to, sizeof to) < 0)
    return throw_errno(env, "sendto(AF_PACKET)", errno);
  return NULL;
}

static napi_value js_add_membership(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  packet_socket *sock = unwrap(env, argv[0]);
  if (sock == NULL) return NULL;
  void *data;
  size_t length;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  if (length != ETH_ALEN) {
    napi_throw_range_error(env, NULL, "multicast MAC must be 6 bytes");
    return NULL;
  }
  struct packet_mreq request;
  memset(&request, 0, sizeof request);
  request.mr_ifindex = sock->ifindex;
  request.mr_type = PACKET_MR_MULTICAST;
  request.mr_alen = ETH_ALEN;
  memcpy(request.mr_address, data, ETH_ALEN);
  if (setsockopt(sock->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &request, sizeof request) < 0)
    return throw_errno(env, "PACKET_ADD_MEMBERSHIP", errno);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  packet_socket *sock = unwrap(env, argv[0]);
  if (sock == NULL) return NULL;
  // The memory stays until the handle is garbage collected (finalize), so a late call is harmless.
  release(sock, 0);
  return NULL;
}

static napi_value js_interfaces(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int saved;
  int entered = argc > 0 ? enter_netns(env, argv[0], &saved) : (saved = -1, 0);
  if (entered != 0) return throw_errno(env, "entering network namespace", entered);
  struct if_nameindex *names = if_nameindex();
  int names_errno = errno;
  struct ifaddrs *addresses = NULL;
  if (getifaddrs(&addresses) < 0) addresses = NULL;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  leave_netns(saved);
  if (names == NULL) {
    if (addresses != NULL) freeifaddrs(addresses);
    if (fd >= 0) close(fd);
    return throw_errno(env, "if_nameindex", names_errno);
  }
  napi_value list;
  CHECK(napi_create_array(env, &list));
  uint32_t count = 0;
  for (struct if_nameindex *entry = names; entry->if_index != 0 && entry->if_name != NULL; entry++) {
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, entry->if_name, IFNAMSIZ - 1);
    napi_value item, value;
    napi_create_object(env, &item);
    napi_create_string_utf8(env, entry->if_name, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, item, "name", value);
    napi_create_uint32(env, entry->if_index, &value);
    napi_set_named_property(env, item, "index", value);
    void *mac_data;
    if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &request) == 0) {
      napi_create_buffer_copy(env, ETH_ALEN, request.ifr_hwaddr.sa_data, &mac_data, &value);
      napi_set_named_property(env, item, "mac", value);
      napi_create_uint32(env, request.ifr_hwaddr.sa_family, &value);
      napi_set_named_property(env, item, "hardwareType", value);
    }
    memset(&request.ifr_ifru, 0, sizeof request.ifr_ifru);
    if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
      napi_create_uint32(env, (uint16_t)request.ifr_flags, &value);
      napi_set_named_property(env, item, "flags", value);
    }
    for (struct ifaddrs *address = addresses; address != NULL; address = address->ifa_next) {
      if (address->ifa_addr == NULL || address->ifa_addr->sa_family != AF_INET6) continue;
      if (strcmp(address->ifa_name, entry->if_name) != 0) continue;
      const struct in6_addr *ip = &((const struct sockaddr_in6 *)address->ifa_addr)->sin6_addr;
      if (!IN6_IS_ADDR_LINKLOCAL(ip)) continue;
      napi_create_buffer_copy(env, 16, ip->s6_addr, &mac_data, &value);
      napi_set_named_property(env, item, "linkLocal", value);
      break;
    }
    napi_set_element(env, list, count++, item);
  }
  if (fd >= 0) close(fd);
  if (addresses != NULL) freeifaddrs(addresses);
  if_freenameindex(names);
  return list;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"addMembership", NULL, js_add_membership, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"interfaces", NULL, js_interfaces, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
