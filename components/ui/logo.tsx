/** Parley's mark: a speech bubble (an SVG, so it shows without emoji fonts). */
export function Logo({ className = "size-7" }: { className?: string }) {
  return (
    <span aria-hidden className={`flex items-center justify-center rounded-lg bg-brand-600 text-white ${className}`}>
      <svg viewBox="0 0 24 24" className="size-[60%] fill-current">
        <path d="M12 3C6.5 3 2 6.9 2 11.7c0 2.4 1.1 4.6 3 6.2L4 22l4.6-2.3c1.1.3 2.2.5 3.4.5 5.5 0 10-3.9 10-8.6S17.5 3 12 3z" />
      </svg>
    </span>
  );
}
