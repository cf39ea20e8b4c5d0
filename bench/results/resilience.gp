set terminal pngcairo size 900,540 noenhanced
set grid
set key bottom left
set style data linespoints
set output 'resilience-failing.png'
set title 'Success rate during the fault vs share of failing endpoints (errors, resets, stalls)'
set xlabel 'failing endpoints (%)'
set ylabel 'live success (%)'
set yrange [0:105]
plot 'resilience-failing.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'
set output 'resilience-latency.png'
set title 'p99 latency vs share of endpoints slowed by U(0.5 s, 3 s)'
set xlabel 'slowed endpoints (%)'
set ylabel 'p99 latency of live successes (ms)'
set yrange [0:*]
set key top left
plot 'resilience-latency.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'
set output 'resilience-long.png'
set title 'Long run: success per 1 s window (10 s fault cycle)'
set xlabel 'time (s)'
set ylabel 'live success (%)'
set yrange [0:105]
set style data lines
set key bottom left
plot 'resilience-long.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'
