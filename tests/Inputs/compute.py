# A computation that takes a few seconds and prints as it goes: the same
# lines whether or not it was checkpointed, killed and restored.
import sys, time
n = 0
for i in range(40):
    for k in range(20000):
        n = (n * 31 + i * k) % 1000000007
    print(i, n, flush=True)
    time.sleep(0.05)
print("done", n, flush=True)
