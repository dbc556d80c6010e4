# Issue 26: reads `perf script` and puts each sample in the first bucket its stack reaches from
# the leaf (a syscall, SQLite, the JIT), else managed, native or kernel; prints shares, then the count.
import sys, re, collections
# perf script output: sample header line, then stack lines (leaf first), blank line
cats = [('sched_yield','sched_yield'),('futex','futex'),('epoll_wait','epoll_wait'),('pwrite','pwrite'),('fcntl','fcntl'),
        ('__libc_recv','recv'),('__send','send'),('__libc_write','write'),('__libc_read','read'),('sqlite3','sqlite'),
        ('libclrjit','jit'),('fsync','fsync'),('fdatasync','fsync'),('nanosleep','sleep'),('mmap','mmap'),('munmap','mmap'),('madvise','madvise'),('mprotect','mprotect')]
tot=collections.Counter(); n=0
stack=[]
def flush():
    global n
    if not stack: return
    n+=1
    c='other'
    for fr in stack:
        for pat,name in cats:
            if pat in fr: c=name; break
        if c!='other': break
    if c=='other':
        # managed vs native vs kernel leaf
        leaf=stack[0]
        c='kernel-other' if 'kallsyms' in leaf else ('managed' if '[JIT]' in leaf or 'perf-' in leaf or '.dll' in leaf else 'native-other')
    tot[c]+=1
for line in sys.stdin:
    if not line.strip():
        flush(); stack=[]; continue
    if line[0] not in ' \t':
        continue
    stack.append(line.strip())
flush()
for k,v in tot.most_common(): print(f"{100*v/n:6.1f}% {k}")
print(n)
