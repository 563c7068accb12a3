/* Tests of source selection on hand-made candidates: falsetickers, prefer,
 * require, trust, noselect, minsources, maxdistance, maxjitter, the score
 * hysteresis, combining, leap votes, the waiting states and the status
 * letters. */
#include "harness.h"
#include "core/select.h"

#include "candm_wire.h"
#include "common/ntptime.h"
#include "common/srcopts.h"
#include "ntp_wire.h"

#include <math.h>
#include <string.h>

#define MAXC 8
#define EPOCH_S 1700000000

struct world {
    struct selector *sel;
    struct select_memory mem[MAXC];
    struct select_candidate c[MAXC];
    int n;
    struct select_result res;
};

static void world_init(struct world *w, int n, const struct select_settings *set)
{
    memset(w, 0, sizeof *w);
    struct select_settings def;
    select_default_settings(&def);
    w->sel = select_create(set ? set : &def);
    w->n = n;
    for (int i = 0; i < n; i++)
        select_memory_init(&w->mem[i]);
}

static void world_free(struct world *w)
{
    select_destroy(w->sel);
}

/* Source i: our clock `offset` ahead according to it, with the given root
 * distance, a good fit and a full reachability register. */
static void source(struct world *w, int i, double offset, double distance)
{
    struct select_candidate *c = &w->c[i];
    memset(c, 0, sizeof *c);
    c->mem = &w->mem[i];
    c->refid = 0x0a000001u + (uint32_t)i;
    c->is_ntp = true;
    c->reach = 0xff;
    c->reach_size = 8;
    c->max_unreach = SRCOPTS_DEFAULT_MAXUNREACH;
    c->stratum = 2;
    c->leap = NTP_LEAP_NORMAL;
    c->have_selection = c->have_tracking = true;
    c->sel.offset_s = offset;
    c->sel.root_distance_s = distance;
    c->sel.lo_limit_s = offset - distance;
    c->sel.hi_limit_s = offset + distance;
    c->sel.std_dev_s = distance / 10;
    c->sel.first_sample_ago_s = 1000.0;
    c->sel.last_sample_ago_s = 10.0;
    c->track.ref_time = ntptime_add_double((struct timespec){ EPOCH_S, 0 }, -10.0);
    c->track.offset_s = offset;
    c->track.offset_sd_s = distance / 10;
    c->track.frequency = 1e-7 * i;
    c->track.frequency_sd = 1e-8;
    c->track.skew = 1e-7;
    c->track.root_delay_s = distance;
    c->track.root_dispersion_s = distance / 2;
}

/* Runs the selection after a new sample of source `updated`. */
static void run(struct world *w, int updated)
{
    select_run(w->sel, w->c, w->n, updated, &w->res);
}

static char status(const struct world *w, int i)
{
    return select_status_char(w->mem[i].status);
}

TEST(three_agree_one_falseticker)
{
    struct world w;
    world_init(&w, 4, NULL);
    source(&w, 0, 0.001, 0.010);
    source(&w, 1, 0.002, 0.012);
    source(&w, 2, -0.001, 0.008);
    source(&w, 3, 0.500, 0.010);      /* half a second off */
    run(&w, 2);
    CHECK(w.res.selected >= 0 && w.res.selected <= 2);
    CHECK_INT(w.res.event, SELECT_EVENT_SELECTED);
    CHECK_INT(status(&w, 3), 'x');
    CHECK_INT(select_sources_char(w.mem[3].status), 'x');
    CHECK_INT(select_sources_state(w.mem[3].status), CANDM_SD_STATE_FALSETICKER);
    /* the shortest distance wins at first */
    CHECK_INT(w.res.selected, 2);
    CHECK_INT(status(&w, 2), '*');
    CHECK_INT(status(&w, 0), '+');
    CHECK_INT(status(&w, 1), '+');
    CHECK(w.res.update_reference);
    CHECK_INT(w.res.ref.n_combined, 3);
    CHECK_INT(w.res.ref.stratum, 2);
    CHECK_INT(w.res.ref.refid, 0x0a000003u);
    CHECK(fabs(w.res.ref.offset_s) < 0.003);
    /* the falseticker is bad and would be replaced after a few updates */
    for (int i = 0; i < SELECT_BAD_SOURCE_THRESHOLD; i++)
        run(&w, 3);
    CHECK(select_memory_is_bad(&w.mem[3]));
    CHECK(!select_memory_is_bad(&w.mem[0]));
    world_free(&w);
}

TEST(combined_offset_weighted_by_distance)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.001, 0.010);
    source(&w, 1, 0.004, 0.020);
    w.c[1].track.frequency = 0.0;
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    CHECK_INT(w.res.ref.n_combined, 2);
    /* weights 1/distance: 100 and 50; source 1's ref time equals source 0's */
    double expected = (0.001 * 100 + 0.004 * 50) / 150;
    CHECK_NEAR(w.res.ref.offset_s, expected, 1e-12);
    /* frequencies weighted by 1/sd^2 (equal here) */
    CHECK_NEAR(w.res.ref.frequency, 0.0, 1e-15);
    CHECK_NEAR(w.res.ref.frequency_sd, 1e-8 / sqrt(2.0), 1e-15);
    CHECK_NEAR(w.res.ref.skew, 1e-7 / sqrt(2.0), 1e-15);
    /* root delay and dispersion are the selected source's */
    CHECK_NEAR(w.res.ref.root_delay_s, 0.010, 0);
    world_free(&w);
}

TEST(distant_sources_not_combined)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.001);
    source(&w, 1, 0.0, 0.010);        /* over combinelimit 3 times the distance */
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    CHECK_INT(w.res.ref.n_combined, 1);
    CHECK_INT(status(&w, 1), 'D');
    CHECK_INT(select_sources_char(w.mem[1].status), '-');
    world_free(&w);
}

TEST(prefer_chooses_among_survivors)
{
    struct world w;
    world_init(&w, 4, NULL);
    source(&w, 0, 0.001, 0.005);
    source(&w, 1, 0.002, 0.010);
    source(&w, 2, 0.0, 0.010);
    source(&w, 3, 0.9, 0.010);        /* a falseticker with prefer */
    w.c[1].options = SRCOPTS_SEL_PREFER;
    w.c[3].options = SRCOPTS_SEL_PREFER;
    run(&w, 1);
    CHECK_INT(w.res.selected, 1);
    CHECK_INT(status(&w, 1), '*');
    CHECK_INT(status(&w, 0), 'P');
    CHECK_INT(status(&w, 2), 'P');
    CHECK_INT(status(&w, 3), 'x');
    CHECK_INT(w.res.ref.n_combined, 1);
    world_free(&w);
}

TEST(require_option)
{
    struct world w;
    world_init(&w, 3, NULL);
    source(&w, 0, 0.0, 0.010);
    source(&w, 1, 0.001, 0.010);
    source(&w, 2, 0.8, 0.010);        /* required, but a falseticker */
    w.c[2].options = SRCOPTS_SEL_REQUIRE;
    run(&w, 0);
    CHECK_INT(w.res.selected, -1);
    CHECK(!w.res.update_reference);
    CHECK_INT(status(&w, 0), 'W');
    CHECK_INT(status(&w, 1), 'W');
    CHECK_INT(status(&w, 2), 'x');

    /* once the required source agrees, the selection goes ahead */
    source(&w, 2, 0.0005, 0.010);
    w.c[2].options = SRCOPTS_SEL_REQUIRE;
    run(&w, 2);
    CHECK(w.res.selected >= 0);
    CHECK(w.res.update_reference);
    world_free(&w);
}

TEST(noselect_option)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.001);
    source(&w, 1, 0.0, 0.010);
    w.c[0].options = SRCOPTS_SEL_NOSELECT;
    run(&w, 0);
    CHECK_INT(status(&w, 0), 'N');
    CHECK_INT(select_sources_char(w.mem[0].status), '?');
    /* source 1 has no new sample yet: selectable but waiting */
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(status(&w, 1), 'U');
    run(&w, 1);
    CHECK_INT(w.res.selected, 1);
    world_free(&w);
}

TEST(minsources_not_met)
{
    struct select_settings set;
    select_default_settings(&set);
    set.min_sources = 3;
    struct world w;
    world_init(&w, 3, &set);
    source(&w, 0, 0.0, 0.010);
    source(&w, 1, 0.001, 0.010);
    source(&w, 2, 0.0, 0.010);
    w.c[2].have_selection = false;    /* not enough samples yet */
    run(&w, 0);
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(status(&w, 0), 'W');
    CHECK_INT(status(&w, 2), 'M');
    w.c[2].have_selection = true;
    run(&w, 2);
    CHECK(w.res.selected >= 0);
    CHECK_INT(w.res.ref.n_combined, 3);
    world_free(&w);
}

TEST(maxdistance_and_maxjitter)
{
    struct select_settings set;
    select_default_settings(&set);
    set.max_distance_s = 1.0;
    set.max_jitter_s = 0.01;
    struct world w;
    world_init(&w, 3, &set);
    source(&w, 0, 0.0, 1.5);           /* over maxdistance */
    source(&w, 1, 0.0, 0.005);
    source(&w, 2, 0.0, 0.005);
    w.c[2].sel.std_dev_s = 0.02;       /* over maxjitter */
    run(&w, 1);
    CHECK_INT(status(&w, 0), 'd');
    CHECK_INT(status(&w, 2), '~');
    CHECK_INT(select_sources_char(w.mem[2].status), '~');
    CHECK_INT(w.res.selected, 1);

    /* the default maxdistance is 3 s */
    struct world d;
    world_init(&d, 1, NULL);
    source(&d, 0, 0.0, 2.9);
    run(&d, 0);
    CHECK_INT(d.res.selected, 0);
    source(&d, 0, 0.0, 3.1);
    run(&d, 0);
    CHECK_INT(d.res.selected, -1);
    CHECK_INT(status(&d, 0), 'd');
    CHECK_INT(d.res.event, SELECT_EVENT_NO_SELECTABLE);
    world_free(&w);
    world_free(&d);
}

TEST(unusable_states)
{
    struct select_settings set;
    select_default_settings(&set);
    set.max_stratum = 3;
    struct world w;
    world_init(&w, 4, &set);
    source(&w, 0, 0.0, 0.01);
    source(&w, 1, 0.0, 0.01);
    source(&w, 2, 0.0, 0.01);
    source(&w, 3, 0.0, 0.01);
    w.c[1].leap = NTP_LEAP_UNSYNC;
    w.c[2].stratum = 4;
    /* unreachable and older than every sample of the reachable sources */
    w.c[3].reach = 0;
    w.c[3].sel.last_sample_ago_s = 5000.0;
    run(&w, 0);
    CHECK_INT(status(&w, 1), 's');
    CHECK_INT(status(&w, 2), 'r');
    CHECK_INT(status(&w, 3), 'S');
    CHECK_INT(w.res.selected, 0);
    world_free(&w);
}

TEST(no_majority)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.010);
    source(&w, 1, 0.0, 0.010);
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    /* they drift apart: neither can be trusted */
    source(&w, 1, 0.5, 0.010);
    run(&w, 1);
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(w.res.event, SELECT_EVENT_NO_MAJORITY);
    CHECK(w.res.unsynchronise);
    CHECK_INT(status(&w, 0), 'x');
    CHECK_INT(status(&w, 1), 'x');
    CHECK_NEAR(strlen(select_event_message(w.res.event)), strlen("Can't synchronise: no majority"), 0);
    world_free(&w);
}

TEST(trusted_sources_win)
{
    struct world w;
    world_init(&w, 3, NULL);
    source(&w, 0, 0.0, 0.010);         /* trusted */
    source(&w, 1, 0.3, 0.010);         /* two agreeing untrusted ones */
    source(&w, 2, 0.301, 0.010);
    w.c[0].options = SRCOPTS_SEL_TRUST;
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    CHECK_INT(status(&w, 1), 'x');
    CHECK_INT(status(&w, 2), 'x');

    /* an untrusted source agreeing with the best interval but reaching
     * outside the trusted one */
    source(&w, 1, -0.0075, 0.0125);
    source(&w, 2, 0.0, 0.002);
    w.c[0].options = SRCOPTS_SEL_TRUST;
    run(&w, 0);
    CHECK_INT(status(&w, 1), 'T');
    CHECK(status(&w, 2) == '+' || status(&w, 2) == 'D');
    world_free(&w);
}

TEST(score_hysteresis)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.0100);
    source(&w, 1, 0.0, 0.0200);
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    /* source 1 gets a little better than 0: no switch */
    source(&w, 1, 0.0, 0.0095);
    for (int i = 0; i < 20; i++)
        run(&w, i % 2);
    CHECK_INT(w.res.selected, 0);
    CHECK(w.mem[1].score > 1.0 && w.mem[1].score < 10.0);
    /* twice as good (with reselectdist): the score (2.26 after the 20
     * updates above) doubles with every update and passes 10 at the third */
    source(&w, 1, 0.0, 0.0049);
    int switched_after = -1;
    for (int i = 0; i < 10 && switched_after < 0; i++) {
        run(&w, 1);
        if (w.res.selected == 1)
            switched_after = i;
    }
    CHECK_INT(switched_after, 2);
    CHECK_INT(w.res.event, SELECT_EVENT_SELECTED);
    CHECK_NEAR(w.mem[0].score, 1.0, 0);

    /* a selected source that drops out is replaced at once */
    w.c[1].options = SRCOPTS_SEL_NOSELECT;
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    world_free(&w);
}

TEST(reference_update_needs_new_sample)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.01);
    source(&w, 1, 0.0, 0.01);
    run(&w, 0);
    CHECK(w.res.update_reference);
    /* a new sample of a combined source updates the reference too */
    run(&w, 1);
    CHECK_INT(w.res.selected, 0);
    CHECK(w.res.update_reference);
    CHECK_INT(status(&w, 1), '+');
    /* no new sample at all: the reference stays */
    run(&w, -1);
    CHECK_INT(w.res.selected, 0);
    CHECK(!w.res.update_reference);
    CHECK_INT(status(&w, 1), '+');
    /* nor with a new sample of a source that is not combined */
    source(&w, 1, 0.0, 0.5);
    run(&w, 1);
    CHECK_INT(status(&w, 1), 'D');
    CHECK(!w.res.update_reference);
    run(&w, 0);
    CHECK(w.res.update_reference);
    /* reselect forgets the choice */
    select_reselect(w.sel);
    run(&w, -1);
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(status(&w, 0), 'U');
    world_free(&w);
}

TEST(waits_for_statistics_at_start)
{
    struct world w;
    world_init(&w, 2, NULL);
    source(&w, 0, 0.0, 0.01);
    source(&w, 1, 0.0, 0.01);
    w.c[0].reach = 0x7;
    w.c[0].reach_size = 3;
    w.c[1].reach = 0x3;
    w.c[1].reach_size = 2;
    w.c[1].have_selection = false;
    run(&w, 0);
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(status(&w, 0), 'w');
    CHECK_INT(status(&w, 1), 'M');
    world_free(&w);
}

TEST(leap_vote)
{
    struct world w;
    world_init(&w, 3, NULL);
    for (int i = 0; i < 3; i++)
        source(&w, i, 0.0, 0.01);
    w.c[0].leap = NTP_LEAP_INSERT;
    w.c[1].leap = NTP_LEAP_INSERT;
    run(&w, 0);
    CHECK_INT(w.res.ref.leap, NTP_LEAP_INSERT);
    w.c[1].leap = NTP_LEAP_NORMAL;
    run(&w, 0);
    CHECK_INT(w.res.ref.leap, NTP_LEAP_NORMAL);
    world_free(&w);
}

TEST(orphan_sources)
{
    struct select_settings set;
    select_default_settings(&set);
    set.orphan_stratum = 5;
    struct world w;
    world_init(&w, 1, &set);
    source(&w, 0, 0.0, 0.01);
    w.c[0].stratum = 5;
    w.c[0].local_refid = 0x0a000009u;   /* larger than the orphan's refid */
    run(&w, 0);
    CHECK_INT(w.res.selected, 0);
    w.c[0].local_refid = 0x0a000000u;   /* smaller: we serve, it does not */
    select_reselect(w.sel);
    run(&w, 0);
    CHECK_INT(w.res.selected, -1);
    CHECK_INT(status(&w, 0), 'O');
    world_free(&w);
}

TEST(status_letters)
{
    CHECK_INT(select_status_char(SELECT_UNSELECTABLE), 'N');
    CHECK_INT(select_status_char(SELECT_BAD_STATS), 'M');
    CHECK_INT(select_status_char(SELECT_WAITS_SOURCES), 'W');
    CHECK_INT(select_status_char(SELECT_NONPREFERRED), 'P');
    CHECK_INT(select_status_char(SELECT_UNSELECTED), '+');
    CHECK_INT(select_status_char(SELECT_SELECTED), '*');
    CHECK_INT(select_sources_char(SELECT_SELECTED), '*');
    CHECK_INT(select_sources_char(SELECT_UNSELECTED), '+');
    CHECK_INT(select_sources_char(SELECT_NONPREFERRED), '-');
    CHECK_INT(select_sources_char(SELECT_BAD_STATS), '?');
    CHECK_INT(select_sources_char(SELECT_FALSETICKER), 'x');
    CHECK_INT(select_sources_char(SELECT_JITTERY), '~');
}

TEST(authselectmode)
{
    unsigned conf[3] = { 0, 0, SRCOPTS_SEL_PREFER }, out[3];
    bool auth[3] = { true, false, false }, ntp[3] = { true, true, false };
    select_effective_options(conf, auth, ntp, 3, 0, out);     /* require */
    CHECK_INT(out[0], 0);
    CHECK_INT(out[1], SRCOPTS_SEL_NOSELECT);
    CHECK_INT(out[2], SRCOPTS_SEL_PREFER);
    select_effective_options(conf, auth, ntp, 3, 2, out);     /* mix */
    CHECK_INT(out[0], SRCOPTS_SEL_REQUIRE | SRCOPTS_SEL_TRUST);
    CHECK_INT(out[1], 0);
    CHECK_INT(out[2], SRCOPTS_SEL_PREFER | SRCOPTS_SEL_REQUIRE | SRCOPTS_SEL_TRUST);
    select_effective_options(conf, auth, ntp, 3, 3, out);     /* ignore */
    CHECK_INT(out[1], 0);
    auth[0] = false;
    select_effective_options(conf, auth, ntp, 3, 1, out);     /* prefer, none authenticated */
    CHECK_INT(out[1], 0);
}

TEST(no_sources)
{
    struct world w;
    world_init(&w, 0, NULL);
    run(&w, -1);
    CHECK_INT(w.res.selected, -1);
    CHECK(!w.res.update_reference);
    world_free(&w);
}

TEST(fill_from_statistics)
{
    struct srcstats_settings set;
    memset(&set, 0, sizeof set);
    set.min_samples = 6;
    set.asymmetry = 1.0;
    set.precision_s = 1e-8;
    struct srcstats *st = srcstats_create(&set);
    struct select_memory mem;
    select_memory_init(&mem);
    struct select_candidate c;
    c.mem = &mem;
    struct timespec now = { EPOCH_S + 300, 0 };
    select_fill_candidate(&c, st, &now);
    CHECK(c.mem == &mem);
    CHECK(!c.have_selection);
    CHECK_INT(c.leap, NTP_LEAP_UNSYNC);
    for (int i = 0; i < 4; i++) {
        struct ntp_source_sample s;
        memset(&s, 0, sizeof s);
        s.time = (struct timespec){ EPOCH_S + 64 * i, 0 };
        s.offset_s = -1e-3;
        s.delay_s = s.root_delay_s = 1e-4;
        s.dispersion_s = s.root_dispersion_s = 1e-6;
        srcstats_add_sample(st, &s);
    }
    select_fill_candidate(&c, st, &now);
    CHECK(c.have_selection && c.have_tracking);
    CHECK_NEAR(c.sel.offset_s, 1e-3, 1e-9);
    srcstats_destroy(st);
}

TEST_LIST {
    T(three_agree_one_falseticker),
    T(combined_offset_weighted_by_distance),
    T(distant_sources_not_combined),
    T(prefer_chooses_among_survivors),
    T(require_option),
    T(noselect_option),
    T(minsources_not_met),
    T(maxdistance_and_maxjitter),
    T(unusable_states),
    T(no_majority),
    T(trusted_sources_win),
    T(score_hysteresis),
    T(reference_update_needs_new_sample),
    T(waits_for_statistics_at_start),
    T(leap_vote),
    T(orphan_sources),
    T(status_letters),
    T(authselectmode),
    T(no_sources),
    T(fill_from_statistics),
};
TEST_MAIN
