/* placeholder until chronyc's main lands */
int main(void) { return 0; }
