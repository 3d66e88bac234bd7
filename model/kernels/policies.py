"""Policy rules that reshape the ecosystem at set moments, rather than every quarter's decisions.

Switched on by scenario parameters and called by the engine's schedule
(:meth:`model.sim.engine.Simulation._quarter`): the capital chain's top-ups when the policy
starts, the yearly links of firms to outside experts, and the enclaves' places in the hubs.
They are vectorised numpy over one county at a time (a dozen counties: no kernel is needed).
"""

from __future__ import annotations

import numpy as np

from model.sim.sectors import N_SECTORS


def commit_capital_chain(capital, counties, guidance_of_county, bank_of_county, p) -> np.ndarray:
    """Commit each county to raise its guidance fund and tech bank to the chain's targets.

    Report §1.4 (Changxing's funds, Jiashan's tech banks). The commitment is the gap between
    ``capital_chain_guidance_mcny`` and ``capital_chain_tech_bank_mcny`` (times ``firm_scale``)
    and what the two hold now; the county pays it in by equal tranches over
    ``capital_chain_deployment_q`` quarters out of its S&T account (phase 8, a programme paid
    before the baseline S&T lines, never below the account's floor).

    Parameters
    ----------
    capital : Table
        Reads ``pool_mcny``.
    counties : Table
        Writes ``chain_commitment_mcny`` and ``chain_tranche_mcny``.
    guidance_of_county, bank_of_county : (n_counties,) int64
        Capital row of each county's guidance fund and tech bank.
    p : KernelParams

    Returns
    -------
    (n_counties,) float64
        Share of each county's payments that goes to its guidance fund (the rest to its bank).
    """
    n = len(guidance_of_county)
    guidance_share = np.zeros(n)
    for c in range(n):
        gap_fund = max(
            0.0,
            p.capital_chain_guidance_mcny * p.firm_scale - capital.pool_mcny[guidance_of_county[c]],
        )
        gap_bank = max(
            0.0,
            p.capital_chain_tech_bank_mcny * p.firm_scale - capital.pool_mcny[bank_of_county[c]],
        )
        total = gap_fund + gap_bank
        counties.chain_commitment_mcny[c] = total
        counties.chain_tranche_mcny[c] = total / p.capital_chain_deployment_q
        guidance_share[c] = gap_fund / total if total > 0.0 else 0.0
    return guidance_share


def pay_into_capital_chain(
    capital, counties, guidance_of_county, bank_of_county, guidance_share
) -> None:
    """Move what each county paid this quarter (``chain_paid_mcny``) into its fund and bank.

    Parameters
    ----------
    capital : Table
        Writes ``pool_mcny`` of the rows named below.
    counties : Table
        Reads ``chain_paid_mcny``.
    guidance_of_county, bank_of_county : (n_counties,) int64
    guidance_share : (n_counties,) float64
        From :func:`commit_capital_chain`.
    """
    paid = counties.chain_paid_mcny
    np.add.at(capital.pool_mcny, guidance_of_county, paid * guidance_share)
    np.add.at(capital.pool_mcny, bank_of_county, paid * (1.0 - guidance_share))


def assign_expert_links(firms, counties, p, step: int, policy_on: bool) -> None:
    """Link firms to outside experts (report §1.5), re-drawn yearly.

    Chief technology officers go to the most knowledgeable certified or S&T firms of each
    county, town-mayor experts to R&D-doing SMEs (at most 300 employees). A county's officers
    are its status-quo number (``counties.cto_firms``: Changxing's 180, report §1.5) or, while
    a scenario is on, ``cto_firms_per_county`` if that is more; town mayors come only with a
    scenario.

    Parameters
    ----------
    firms : Table
        Writes ``expert_link`` (every row).
    counties : Table
        Reads ``cto_firms`` (n_counties,) int32, at full firm scale.
    p : KernelParams
        Reads ``cto_firms_per_county``, ``town_mayor_experts_per_county``, ``firm_scale``.
    step : int
        Current quarter (certification is valid while ``hte_until_step > step``).
    policy_on : bool
        Whether the scenario's rules are in force.
    """
    f = firms
    f.expert_link[:] = False
    scenario_cto = p.cto_firms_per_county if policy_on else 0
    n_mayor = round(p.town_mayor_experts_per_county * p.firm_scale) if policy_on else 0
    certified = (f.hte_until_step > step) | f.st_sme
    for c in range(len(counties.cto_firms)):
        n_cto = round(max(int(counties.cto_firms[c]), scenario_cto) * p.firm_scale)
        if n_cto + n_mayor == 0:
            continue
        in_c = f.alive & (f.county == c)
        if n_cto:
            cand = np.flatnonzero(in_c & certified)
            top = cand[np.argsort(-f.knowledge[cand], kind="stable")[:n_cto]]
            f.expert_link[top] = True
        if n_mayor:
            cand = np.flatnonzero(
                in_c & ~f.expert_link & (f.employees <= 300) & (f.rd_real_mcny > 0)
            )
            top = cand[np.argsort(-f.knowledge[cand], kind="stable")[:n_mayor]]
            f.expert_link[top] = True


def open_enclaves(counties, enclave_floor_m2, p) -> None:
    """Set each county's enclave places from its floor space in the hub (report §1.5).

    Parameters
    ----------
    counties : Table
        Writes ``enclave_slots``.
    enclave_floor_m2 : (n_counties,) float64
        Floor space each county rents in its hub, m2: the region file's figure (the status
        quo, open from the start), and under the talent-enclave scenario
        ``enclave_default_floor_m2`` where the report gives none.
    p : KernelParams
        Reads ``firm_scale`` and ``enclave_m2_per_firm``.
    """
    counties.enclave_slots[:] = np.floor(
        enclave_floor_m2 * p.firm_scale / p.enclave_m2_per_firm
    ).astype(np.int32)


def release_unpaid_enclave_places(firms, counties, talent) -> None:
    """Send home the enclave firms beyond the places their county still pays for.

    A county whose S&T account reaches its floor gives up the floor it cannot rent
    (:func:`model.kernels.government.govern`, ODD §7.12); the firms placed there leave the
    enclave in the same quarter, those with the smallest knowledge stock first (the county
    keeps its best firms in the hub, report §1.5), not at the next yearly draw. Their staff
    working in the hub become job seekers there, as the staff of a closed firm do (staff
    counts follow at the next quarter's recount,
    :func:`model.kernels.talent_market.aggregate_talent`).

    Parameters
    ----------
    firms : Table
        Reads ``alive``, ``county``, ``knowledge``; writes ``in_enclave``.
    counties : Table
        Reads ``enclave_slots``, (n_counties,) int32.
    talent : Table
        Reads ``alive``, ``hub``; writes ``employer_firm`` of the hub staff of firms sent home.
    """
    f = firms
    placed = f.alive & f.in_enclave
    occupied = np.bincount(f.county[placed], minlength=len(counties.enclave_slots))
    over = np.flatnonzero(occupied > counties.enclave_slots)
    if len(over) == 0:
        return
    home = []
    for c in over:
        excess = int(occupied[c] - counties.enclave_slots[c])
        held = np.flatnonzero(placed & (f.county == c))
        home.append(held[np.argsort(f.knowledge[held], kind="stable")[:excess]])
    home = np.concatenate(home)
    f.in_enclave[home] = False
    in_hub = np.flatnonzero(talent.alive & (talent.hub >= 0) & (talent.employer_firm >= 0))
    talent.employer_firm[in_hub[np.isin(talent.employer_firm[in_hub], home)]] = -1


def fill_enclaves(firms, counties) -> None:
    """Fill free enclave places with each county's best emerging-sector R&D firms.

    Report §1.5: R&D in the hub, production at home. Candidates are live firms of the county
    outside the traditional sector that perform R&D, best knowledge stock first.

    Parameters
    ----------
    firms : Table
        Writes ``in_enclave``.
    counties : Table
        Reads ``enclave_slots``.
    """
    f = firms
    for c in range(len(counties.enclave_slots)):
        slots = int(counties.enclave_slots[c])
        in_c = f.alive & (f.county == c)
        free = slots - int(np.count_nonzero(in_c & f.in_enclave))
        if free <= 0:
            continue
        cand = np.flatnonzero(
            in_c & ~f.in_enclave & (f.sector != N_SECTORS - 1) & (f.rd_real_mcny > 0)
        )
        top = cand[np.argsort(-f.knowledge[cand], kind="stable")[:free]]
        f.in_enclave[top] = True
