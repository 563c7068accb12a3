/* timerq: one-shot timers ordered by due time. See timerq.h. */
#include "common/timerq.h"

#include <stddef.h>

#include "common/mem.h"

struct timer {
    timerq_id id;
    double due_s;
    timerq_handler handler;
    void *arg;
    struct timer *next;
};

/* A singly linked list sorted by due time; a new timer goes after every
 * timer due at or before its time, which keeps equal times in insertion
 * order. Daemons have a few dozen timers at most, so a list is enough. */
struct timerq {
    struct timer *first;
    int count;
    timerq_id next_id;
};

struct timerq *timerq_create(void)
{
    struct timerq *q = mem_alloc(sizeof *q);
    *q = (struct timerq){ .first = NULL, .count = 0, .next_id = 1 };
    return q;
}

void timerq_destroy(struct timerq *q)
{
    if (!q)
        return;
    timerq_clear(q);
    mem_free(q);
}

void timerq_clear(struct timerq *q)
{
    while (q->first) {
        struct timer *t = q->first;
        q->first = t->next;
        mem_free(t);
    }
    q->count = 0;
}

timerq_id timerq_add(struct timerq *q, double due_s, timerq_handler handler, void *arg)
{
    struct timer *t = mem_alloc(sizeof *t);
    *t = (struct timer){ .id = q->next_id++, .due_s = due_s, .handler = handler, .arg = arg };

    struct timer **p = &q->first;
    while (*p && (*p)->due_s <= due_s)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    q->count++;
    return t->id;
}

timerq_id timerq_add_after(struct timerq *q, double now_s, double delay_s,
                           timerq_handler handler, void *arg)
{
    if (!(delay_s > 0.0))       /* also catches NaN */
        delay_s = 0.0;
    return timerq_add(q, now_s + delay_s, handler, arg);
}

bool timerq_remove(struct timerq *q, timerq_id id)
{
    for (struct timer **p = &q->first; *p; p = &(*p)->next) {
        if ((*p)->id == id) {
            struct timer *t = *p;
            *p = t->next;
            mem_free(t);
            q->count--;
            return true;
        }
    }
    return false;
}

int timerq_count(const struct timerq *q)
{
    return q->count;
}

bool timerq_next_due(const struct timerq *q, double *due_s)
{
    if (!q->first)
        return false;
    *due_s = q->first->due_s;
    return true;
}

int timerq_run_due(struct timerq *q, double now_s, bool (*stop)(void))
{
    int budget = q->count, ran = 0;

    /* stop is asked last: a caller's check may have side effects (taking
     * a pending signal) that belong to the moment a timer would run */
    while (q->first && q->first->due_s <= now_s && budget-- > 0 && !(stop && stop())) {
        struct timer *t = q->first;
        q->first = t->next;
        q->count--;
        timerq_handler handler = t->handler;
        void *arg = t->arg;
        mem_free(t);
        ran++;
        handler(arg);
    }
    return ran;
}
