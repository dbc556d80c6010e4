# Issue 17: reads a dotnet-trace speedscope file (dotnet-sampled-thread-time) and prints the frames by
# inclusive share of busy thread time: samples whose innermost managed frame is a parked wait (thread-pool
# semaphore, timers, epoll, file watcher) are left out. Usage: python3 busy-frames.py FILE.speedscope.json [N]
import re
import json,sys,collections
# speedscope evented profile -> inclusive/exclusive table over all threads, with idle waits
# (thread pool parked, timers, socket epoll, file watcher) left out: the busy time.
IDLE=('SocketAsyncEngine.EventLoop','WorkerThread.WorkerThreadStart()','PortableThreadPool+GateThread','LowLevelLifoSemaphore.WaitForSignal','LowLevelLifoSemaphore.WaitNative','WaitHandle.WaitOneNoCheck','Monitor.Wait(','Interop+Sys.Read(','Interop+Sys.WaitForSocketEvents','Thread.Sleep','ManualResetEventSlim.Wait','Missing Symbol','LowLevelLifoSemaphore.Wait(')
d=json.load(open(sys.argv[1])); n=int(sys.argv[2]) if len(sys.argv)>2 else 30
frames=[f['name'] for f in d['shared']['frames']]
incl=collections.Counter(); excl=collections.Counter(); total=0.0; busy_by_thread=collections.Counter(); alltime=0.0
for p in d['profiles']:
    stack=[]; last=None
    for e in p['events']:
        if last is not None and stack and e['at']>last:
            dt=e['at']-last; alltime+=dt
            leaf=next((frames[f] for f in reversed(stack) if frames[f] not in ('UNMANAGED_CODE_TIME','?!?')),'')
            if not any(k in leaf for k in IDLE):
                total+=dt; busy_by_thread[p['name']]+=dt
                excl[frames[stack[-1]] if frames[stack[-1]]!='UNMANAGED_CODE_TIME' else leaf+' [native]']+=dt
                for f in set(stack): incl[frames[f]]+=dt
        last=e['at']
        if e['type']=='O': stack.append(e['frame'])
        else:
            # close: pop to that frame
            while stack and stack.pop()!=e['frame']: pass
print(f"busy {total:.0f} ms of {alltime:.0f} ms sampled thread time")
for t,v in busy_by_thread.most_common(6): print(f"  {t}: {v:.0f} ms busy")
print("| frame | inclusive % | exclusive % |\n|---|---:|---:|")
SKIP=('Thread (','Process64','(Non-Activities)','Threads')
for f,v in [x for x in incl.most_common(n+20) if not x[0].startswith(SKIP)][:n]:
    print(f"| `{re.sub(r'^[^!]*!','',f)[:100]}` | {100*v/total:.1f} | {100*(excl[f]+excl[re.sub(r'^[^!]*!','',f)+' [native]']+excl[f+' [native]'])/total:.1f} |")

print("exclusive top:")
for f,v in excl.most_common(15): print(f"  {100*v/total:5.1f}%  {re.sub(r'^[^!]*!','',f)[:110]}")
