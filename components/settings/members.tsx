"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

const ROLES = ["viewer", "editor", "admin", "owner"] as const;
type Role = (typeof ROLES)[number];

const ROLE_HELP: Record<Role, string> = {
  viewer: "reads flows, runs and conversations",
  editor: "also edits, tests and publishes flows",
  admin: "also answers conversations, manages members, keys and contacts' data",
  owner: "everything, including owners",
};

/** Members of the workspace, their roles, lockouts, and invitations. */
export function Members() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.members.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [link, setLink] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ userId: string; email: string } | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: ({ token }) => {
        setLink(`${window.location.origin}/invite/${token}`);
        setEmail("");
        void refresh();
      },
    }),
  );
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSettled: () => void refresh() }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: () => void refresh() }));
  const unlock = useMutation(trpc.members.unlock.mutationOptions({ onSettled: () => void refresh() }));
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSettled: () => void refresh() }));
  const failure = changeRole.error ?? remove.error ?? unlock.error ?? revoke.error;

  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ email, role });
  }

  if (list.isPending) return <TableSkeleton label="Loading members" />;
  if (list.isError) return <ErrorNote>Could not load the members: {errorMessage(list.error)}</ErrorNote>;

  return (
    <section className="space-y-6">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <label className="min-w-64 flex-1 text-sm">
          <span className="mb-1 block font-medium text-slate-700">Invite by email</span>
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} placeholder="name@company.com" className="field" />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Role</span>
          <select aria-label="Role" value={role} onChange={(event) => setRole(event.target.value as Role)} className="field">
            {ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" variant="primary" disabled={invite.isPending}>
          {invite.isPending ? "Inviting…" : "Create invitation link"}
        </Button>
      </form>
      <p className="text-xs text-slate-500">
        {role}: {ROLE_HELP[role]}.
      </p>
      {invite.isError ? <ErrorNote>{errorMessage(invite.error)}</ErrorNote> : null}
      {link ? (
        <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="invitation-link">
          <p className="font-medium text-amber-900">Send this link to the person you invited. It works once, for 7 days; Parley cannot show it again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 text-xs">{link}</code>
            <Button onClick={() => void navigator.clipboard.writeText(link)}>Copy</Button>
          </div>
        </div>
      ) : null}
      {failure ? <ErrorNote>{errorMessage(failure)}</ErrorNote> : null}

      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Member</th>
              <th scope="col" className="px-4 py-2 font-medium">Role</th>
              <th scope="col" className="px-4 py-2 font-medium">Since</th>
              <th scope="col" className="px-4 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {list.data.members.map((member) => (
              <tr key={member.userId} data-testid="member-row">
                <td className="px-4 py-2.5">
                  <span className="font-medium">{member.name ?? member.email}</span>
                  {member.name ? <span className="ml-2 text-slate-500">{member.email}</span> : null}
                  {member.you ? <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-600">you</span> : null}
                  {member.lockedUntil ? (
                    <span className="ml-2 rounded bg-red-50 px-1.5 text-xs text-red-700">locked until {formatDateTime(member.lockedUntil)}</span>
                  ) : null}
                </td>
                <td className="px-4 py-2.5">
                  <select
                    aria-label={`Role of ${member.email}`}
                    value={member.role}
                    disabled={member.you || changeRole.isPending}
                    onChange={(event) => changeRole.mutate({ userId: member.userId, role: event.target.value as Role })}
                    className="rounded border border-slate-300 px-2 py-1 text-sm"
                  >
                    {ROLES.map((option) => (
                      <option key={option} value={option}>
                        {option}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="px-4 py-2.5 text-slate-600">{formatRelative(member.since)}</td>
                <td className="space-x-1 px-4 py-2.5 text-right">
                  {member.lockedUntil ? <Button onClick={() => unlock.mutate({ userId: member.userId })}>Unlock</Button> : null}
                  {!member.you ? (
                    <Button variant="ghost" onClick={() => setRemoving({ userId: member.userId, email: member.email })}>
                      Remove
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
            {list.data.invitations.map((invitation) => (
              <tr key={invitation.id} className="text-slate-500" data-testid="invitation-row">
                <td className="px-4 py-2.5">
                  {invitation.email} <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs">invited</span>
                </td>
                <td className="px-4 py-2.5">{invitation.role}</td>
                <td className="px-4 py-2.5">expires {formatRelative(invitation.expiresAt)}</td>
                <td className="px-4 py-2.5 text-right">
                  <Button variant="ghost" onClick={() => revoke.mutate({ id: invitation.id })}>
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.email}?`}
        confirmLabel="Remove member"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ userId: removing.userId });
          setRemoving(null);
        }}
      >
        They lose access to this workspace at once. Their past actions stay in the audit log.
      </ConfirmDialog>
    </section>
  );
}
