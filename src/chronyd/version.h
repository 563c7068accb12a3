/* version: chronyd's version number and the list of compiled-in features,
 * in chrony's "+CMDMON +NTP -REFCLOCK ..." form, printed by -v and logged at start. */
#ifndef CW_VERSION_H
#define CW_VERSION_H

/* The release number, e.g. "0.1.0". */
const char *version_number(void);
/* The feature list, e.g. "+CMDMON +NTP -REFCLOCK ... -DEBUG". */
const char *version_features(void);

#endif
