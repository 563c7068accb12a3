/* placeholder until the daemon's main lands */
#include <stdio.h>
int main(void) { return 0; }
