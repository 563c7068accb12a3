/* sched_table: descriptors, timers and the quit request of the event loop.
 * See sched_table.h. */
#include "platform/sched_table.h"

#include "common/log.h"
#include "common/mem.h"

static struct sched_table_fd *fds;
static size_t n_fds, fds_alloc;
static uint64_t next_generation = 1;
/* Kept for the life of the process, so timer ids are never reused. */
static struct timerq *timers;
static bool quit_requested;

struct timerq *sched_table_timers(void)
{
    if (!timers)
        timers = timerq_create();
    return timers;
}

void sched_table_clear(void)
{
    timerq_clear(sched_table_timers());
    mem_free(fds);
    fds = NULL;
    n_fds = fds_alloc = 0;
    quit_requested = false;
}

const struct sched_table_fd *sched_table_fds(size_t *n)
{
    *n = n_fds;
    return fds;
}

static struct sched_table_fd *find_fd(int fd)
{
    for (size_t i = 0; i < n_fds; i++)
        if (fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

const struct sched_table_fd *sched_table_find(int fd)
{
    return find_fd(fd);
}

bool sched_table_quit_requested(void)
{
    return quit_requested;
}

void sched_table_quit_done(void)
{
    quit_requested = false;
}

/* ---- the registration calls of platform/sched.h ---- */

void sched_add_fd(int fd, int events, sched_fd_handler handler, void *arg)
{
    if (fd < 0 || find_fd(fd))
        LOG_FATAL("Descriptor %d registered twice or invalid", fd);
    fds = mem_grow(fds, &fds_alloc, n_fds + 1, sizeof *fds);
    fds[n_fds++] = (struct sched_table_fd){
        .fd = fd, .events = events, .handler = handler, .arg = arg,
        .generation = next_generation++,
    };
}

void sched_set_fd_events(int fd, int events)
{
    struct sched_table_fd *e = find_fd(fd);
    if (e)
        e->events = events;
}

void sched_remove_fd(int fd)
{
    struct sched_table_fd *e = find_fd(fd);
    if (e)
        *e = fds[--n_fds];
}

int sched_fd_count(void)
{
    return (int)n_fds;
}

sched_timer_id sched_add_timeout(double delay_s, sched_timer_handler handler, void *arg)
{
    return timerq_add_after(sched_table_timers(), sched_now_mono(), delay_s, handler, arg);
}

void sched_remove_timeout(sched_timer_id id)
{
    (void)timerq_remove(sched_table_timers(), id);
}

int sched_timer_count(void)
{
    return timerq_count(sched_table_timers());
}

void sched_quit(void)
{
    quit_requested = true;
}
