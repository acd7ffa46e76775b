/*
 * The seed experiment's transfer (bin/bench-seed): a sender that sends a file's worth of bytes as UDP datagrams,
 * paced or as fast as the socket takes them, and a receiver that counts what arrives. In C so that the endpoints
 * cost the same little CPU whichever box sits between them.
 *
 *   udp_transfer send DST_IP DST_PORT BYTES RATE_BPS PAYLOAD   (RATE_BPS 0: unpaced)
 *   udp_transfer recv BIND_IP PORT IDLE_MS
 *
 * Each datagram starts with its sequence number (8 bytes, host order). The receiver stops IDLE_MS after the last
 * datagram (or after IDLE_MS * 20 with none) and prints one JSON line: datagrams, bytes, distinct sequence numbers
 * below 2^26, and the seconds from the first datagram to the last. The sender prints datagrams, bytes and seconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define MAX_PAYLOAD 65507
#define SEQ_BITS 26
#define SOCKET_BUFFER (64 << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
    fprintf(stderr, "udp_transfer: %s: %s\n", what, strerror(errno));
    return 1;
}

static int address(const char *ip, const char *port, struct sockaddr_in *to)
{
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_port = htons((uint16_t)atoi(port));
    return inet_pton(AF_INET, ip, &to->sin_addr) == 1 ? 0 : -1;
}

/* A UDP socket connected to (sending) or bound to (receiving) the address, with a large buffer; -1 on failure. */
static int udp_socket(const struct sockaddr_in *address, int sending)
{
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const int buffer = SOCKET_BUFFER;
    if (fd < 0 || (sending ? connect(fd, (const struct sockaddr *)address, sizeof(*address)) :
        bind(fd, (const struct sockaddr *)address, sizeof(*address))) < 0)
    {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, sending ? SO_SNDBUFFORCE : SO_RCVBUFFORCE, &buffer, sizeof(buffer));
    return fd;
}

static int send_file(char **argv)
{
    struct sockaddr_in to;
    const unsigned long long bytes = strtoull(argv[4], NULL, 10);
    const double rate = strtod(argv[5], NULL);
    const int payload = atoi(argv[6]);
    if (address(argv[2], argv[3], &to) || payload < 8 || payload > MAX_PAYLOAD || 0 == bytes || rate < 0)
    {
        fprintf(stderr, "udp_transfer: bad send arguments\n");
        return 2;
    }
    const int fd = udp_socket(&to, 1);
    if (fd < 0)
    {
        return die("connect");
    }
    static char data[BATCH][MAX_PAYLOAD];
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    memset(messages, 0, sizeof(messages));
    const unsigned long long datagrams = (bytes + payload - 1) / payload;
    unsigned long long sent = 0;
    const double start = now();
    while (sent < datagrams)
    {
        const unsigned n = datagrams - sent < BATCH ? (unsigned)(datagrams - sent) : BATCH;
        if (rate > 0)
        {
            /* Pace: this batch starts once the bits before it have had their time at RATE; sleeping, not spinning,
             * so that the sender's own CPU stays small beside the box's. */
            const double due = start + sent * payload * 8.0 / rate;
            if (now() < due)
            {
                struct timespec until = {.tv_sec = (time_t)due, .tv_nsec = (long)((due - (time_t)due) * 1e9)};
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            }
        }
        for (unsigned i = 0; i < n; i++)
        {
            const uint64_t seq = sent + i;
            memcpy(data[i], &seq, sizeof(seq));
            vectors[i].iov_base = data[i];
            vectors[i].iov_len = payload;
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        const int done = sendmmsg(fd, messages, n, 0);
        if (done < 0)
        {
            if (ENOBUFS == errno || EAGAIN == errno || ECONNREFUSED == errno)
            {
                continue;
            }
            return die("sendmmsg");
        }
        sent += done;
    }
    const double seconds = now() - start;
    printf("{\"datagrams\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n", sent, sent * payload, seconds);
    return 0;
}

static int receive(char **argv)
{
    struct sockaddr_in at;
    const int idle = atoi(argv[4]);
    if (address(argv[2], argv[3], &at) || idle <= 0)
    {
        fprintf(stderr, "udp_transfer: bad recv arguments\n");
        return 2;
    }
    const int fd = udp_socket(&at, 0);
    if (fd < 0)
    {
        return die("bind");
    }
    uint8_t *seen = calloc(1u << (SEQ_BITS - 3), 1);
    static char data[BATCH][2048];
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    memset(messages, 0, sizeof(messages));
    for (int i = 0; i < BATCH; i++)
    {
        vectors[i].iov_base = data[i];
        vectors[i].iov_len = sizeof(data[i]);
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    printf("ready\n");
    fflush(stdout);
    unsigned long long datagrams = 0, bytes = 0, distinct = 0;
    double first = 0, last = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;)
    {
        const int ready = poll(&p, 1, 0 == datagrams ? idle * 20 : idle);
        if (ready <= 0)
        {
            break;
        }
        const int n = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
        {
            continue;
        }
        last = now();
        if (0 == datagrams)
        {
            first = last;
        }
        for (int i = 0; i < n; i++)
        {
            uint64_t seq = UINT64_MAX;
            if (messages[i].msg_len >= sizeof(seq))
            {
                memcpy(&seq, data[i], sizeof(seq));
            }
            if (seq < (1ull << SEQ_BITS) && !(seen[seq >> 3] & (1u << (seq & 7))))
            {
                seen[seq >> 3] |= (uint8_t)(1u << (seq & 7));
                distinct++;
            }
            bytes += messages[i].msg_len;
        }
        datagrams += n;
    }
    printf("{\"datagrams\":%llu,\"bytes\":%llu,\"distinct\":%llu,\"seconds\":%.6f}\n", datagrams, bytes, distinct,
        last - first);
    free(seen);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && 0 == strcmp(argv[1], "send"))
    {
        return send_file(argv);
    }
    if (argc == 5 && 0 == strcmp(argv[1], "recv"))
    {
        return receive(argv);
    }
    fprintf(stderr, "usage: udp_transfer send DST_IP DST_PORT BYTES RATE_BPS PAYLOAD | "
        "udp_transfer recv BIND_IP PORT IDLE_MS\n");
    return 2;
}
